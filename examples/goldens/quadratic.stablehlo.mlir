module @jit_roots attributes {mhlo.num_partitions = 1 : i32, mhlo.num_replicas = 1 : i32} {
  func.func public @main(%arg0: tensor<16xf32>, %arg1: tensor<16xf32>, %arg2: tensor<16xf32>) -> (tensor<16xf32> {jax.result_info = "result[0]"}, tensor<16xf32> {jax.result_info = "result[1]"}) {
    %0 = stablehlo.multiply %arg1, %arg1 : tensor<16xf32>
    %cst = stablehlo.constant dense<4.000000e+00> : tensor<f32>
    %1 = stablehlo.broadcast_in_dim %cst, dims = [] : (tensor<f32>) -> tensor<16xf32>
    %2 = stablehlo.multiply %1, %arg0 : tensor<16xf32>
    %3 = stablehlo.multiply %2, %arg2 : tensor<16xf32>
    %4 = stablehlo.subtract %0, %3 : tensor<16xf32>
    %5 = stablehlo.sqrt %4 : tensor<16xf32>
    %6 = stablehlo.negate %arg1 : tensor<16xf32>
    %7 = stablehlo.add %6, %5 : tensor<16xf32>
    %cst_0 = stablehlo.constant dense<2.000000e+00> : tensor<f32>
    %8 = stablehlo.broadcast_in_dim %cst_0, dims = [] : (tensor<f32>) -> tensor<16xf32>
    %9 = stablehlo.multiply %8, %arg0 : tensor<16xf32>
    %10 = stablehlo.divide %7, %9 : tensor<16xf32>
    %11 = stablehlo.negate %arg1 : tensor<16xf32>
    %12 = stablehlo.subtract %11, %5 : tensor<16xf32>
    %cst_1 = stablehlo.constant dense<2.000000e+00> : tensor<f32>
    %13 = stablehlo.broadcast_in_dim %cst_1, dims = [] : (tensor<f32>) -> tensor<16xf32>
    %14 = stablehlo.multiply %13, %arg0 : tensor<16xf32>
    %15 = stablehlo.divide %12, %14 : tensor<16xf32>
    return %10, %15 : tensor<16xf32>, tensor<16xf32>
  }
}
