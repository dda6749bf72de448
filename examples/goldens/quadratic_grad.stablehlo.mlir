module @jit_root_sum attributes {mhlo.num_partitions = 1 : i32, mhlo.num_replicas = 1 : i32} {
  func.func public @main(%arg0: tensor<16xf32>, %arg1: tensor<16xf32>, %arg2: tensor<16xf32>) -> (tensor<16xf32> {jax.result_info = "result[0]"}, tensor<16xf32> {jax.result_info = "result[1]"}, tensor<16xf32> {jax.result_info = "result[2]"}) {
    %0 = stablehlo.multiply %arg1, %arg1 : tensor<16xf32>
    %cst = stablehlo.constant dense<4.000000e+00> : tensor<f32>
    %1 = stablehlo.broadcast_in_dim %cst, dims = [] : (tensor<f32>) -> tensor<16xf32>
    %2 = stablehlo.multiply %1, %arg0 : tensor<16xf32>
    %3 = stablehlo.multiply %2, %arg2 : tensor<16xf32>
    %4 = stablehlo.subtract %0, %3 : tensor<16xf32>
    %5 = stablehlo.sqrt %4 : tensor<16xf32>
    %cst_0 = stablehlo.constant dense<5.000000e-01> : tensor<f32>
    %6 = stablehlo.broadcast_in_dim %cst_0, dims = [] : (tensor<f32>) -> tensor<16xf32>
    %7 = stablehlo.divide %6, %5 : tensor<16xf32>
    %8 = stablehlo.negate %arg1 : tensor<16xf32>
    %9 = stablehlo.add %8, %5 : tensor<16xf32>
    %cst_1 = stablehlo.constant dense<2.000000e+00> : tensor<f32>
    %10 = stablehlo.broadcast_in_dim %cst_1, dims = [] : (tensor<f32>) -> tensor<16xf32>
    %11 = stablehlo.multiply %10, %arg0 : tensor<16xf32>
    %12 = stablehlo.divide %9, %11 : tensor<16xf32>
    %13 = stablehlo.multiply %11, %11 : tensor<16xf32>
    %cst_2 = stablehlo.constant dense<1.000000e+00> : tensor<f32>
    %14 = stablehlo.broadcast_in_dim %cst_2, dims = [] : (tensor<f32>) -> tensor<16xf32>
    %15 = stablehlo.divide %14, %13 : tensor<16xf32>
    %16 = stablehlo.negate %arg1 : tensor<16xf32>
    %17 = stablehlo.subtract %16, %5 : tensor<16xf32>
    %cst_3 = stablehlo.constant dense<2.000000e+00> : tensor<f32>
    %18 = stablehlo.broadcast_in_dim %cst_3, dims = [] : (tensor<f32>) -> tensor<16xf32>
    %19 = stablehlo.multiply %18, %arg0 : tensor<16xf32>
    %20 = stablehlo.divide %17, %19 : tensor<16xf32>
    %21 = stablehlo.multiply %19, %19 : tensor<16xf32>
    %cst_4 = stablehlo.constant dense<1.000000e+00> : tensor<f32>
    %22 = stablehlo.broadcast_in_dim %cst_4, dims = [] : (tensor<f32>) -> tensor<16xf32>
    %23 = stablehlo.divide %22, %21 : tensor<16xf32>
    %cst_5 = stablehlo.constant dense<0.000000e+00> : tensor<f32>
    %24 = stablehlo.reduce(%12 init: %cst_5) applies stablehlo.add across dimensions = [0] : (tensor<16xf32>, tensor<f32>) -> tensor<f32>
    %cst_6 = stablehlo.constant dense<0.000000e+00> : tensor<f32>
    %25 = stablehlo.reduce(%20 init: %cst_6) applies stablehlo.add across dimensions = [0] : (tensor<16xf32>, tensor<f32>) -> tensor<f32>
    %cst_7 = stablehlo.constant dense<5.000000e-01> : tensor<f32>
    %26 = stablehlo.multiply %cst_7, %25 : tensor<f32>
    %27 = stablehlo.add %24, %26 : tensor<f32>
    %cst_8 = stablehlo.constant dense<5.000000e-01> : tensor<f32>
    %cst_9 = stablehlo.constant dense<1.000000e+00> : tensor<f32>
    %28 = stablehlo.multiply %cst_8, %cst_9 : tensor<f32>
    %29 = stablehlo.broadcast_in_dim %28, dims = [] : (tensor<f32>) -> tensor<16xf32>
    %cst_10 = stablehlo.constant dense<1.000000e+00> : tensor<f32>
    %30 = stablehlo.broadcast_in_dim %cst_10, dims = [] : (tensor<f32>) -> tensor<16xf32>
    %31 = stablehlo.multiply %29, %23 : tensor<16xf32>
    %32 = stablehlo.multiply %31, %17 : tensor<16xf32>
    %33 = stablehlo.negate %32 : tensor<16xf32>
    %34 = stablehlo.divide %29, %19 : tensor<16xf32>
    %cst_11 = stablehlo.constant dense<2.000000e+00> : tensor<f32>
    %35 = stablehlo.broadcast_in_dim %cst_11, dims = [] : (tensor<f32>) -> tensor<16xf32>
    %36 = stablehlo.multiply %35, %33 : tensor<16xf32>
    %37 = stablehlo.negate %34 : tensor<16xf32>
    %38 = stablehlo.negate %34 : tensor<16xf32>
    %39 = stablehlo.multiply %30, %15 : tensor<16xf32>
    %40 = stablehlo.multiply %39, %9 : tensor<16xf32>
    %41 = stablehlo.negate %40 : tensor<16xf32>
    %42 = stablehlo.divide %30, %11 : tensor<16xf32>
    %cst_12 = stablehlo.constant dense<2.000000e+00> : tensor<f32>
    %43 = stablehlo.broadcast_in_dim %cst_12, dims = [] : (tensor<f32>) -> tensor<16xf32>
    %44 = stablehlo.multiply %43, %41 : tensor<16xf32>
    %45 = stablehlo.add %36, %44 : tensor<16xf32>
    %46 = stablehlo.add %37, %42 : tensor<16xf32>
    %47 = stablehlo.negate %42 : tensor<16xf32>
    %48 = stablehlo.add %38, %47 : tensor<16xf32>
    %49 = stablehlo.multiply %46, %7 : tensor<16xf32>
    %50 = stablehlo.negate %49 : tensor<16xf32>
    %51 = stablehlo.multiply %2, %50 : tensor<16xf32>
    %52 = stablehlo.multiply %50, %arg2 : tensor<16xf32>
    %cst_13 = stablehlo.constant dense<4.000000e+00> : tensor<f32>
    %53 = stablehlo.broadcast_in_dim %cst_13, dims = [] : (tensor<f32>) -> tensor<16xf32>
    %54 = stablehlo.multiply %53, %52 : tensor<16xf32>
    %55 = stablehlo.add %45, %54 : tensor<16xf32>
    %56 = stablehlo.multiply %arg1, %49 : tensor<16xf32>
    %57 = stablehlo.add %48, %56 : tensor<16xf32>
    %58 = stablehlo.multiply %49, %arg1 : tensor<16xf32>
    %59 = stablehlo.add %57, %58 : tensor<16xf32>
    return %55, %59, %51 : tensor<16xf32>, tensor<16xf32>, tensor<16xf32>
  }
}
