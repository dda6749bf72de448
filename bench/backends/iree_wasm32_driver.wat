;; Replays one IREE command buffer inside wasm: bench/backends/iree_wasm32_host.py writes the
;; commands as 32-byte records and calls `run` once per call of the function, so the timed call
;; crosses from Python into wasm once, as our own module's call does.
;;
;; Record (i32 fields): kind, a, b, c, d, e
;;   kind 0, dispatch: a = function table index, b = dispatch_state*, c/d/e = workgroup count x/y/z
;;   kind 1, fill bytes: a = target, b = byte, c = length          (memory.fill)
;;   kind 2, fill words: a = target, b = 32-bit pattern, c = length (multiple of 4)
;; Dispatch functions follow iree/hal/local/executable_library.h:
;;   int (*)(const environment*, const dispatch_state*, const workgroup_state*)
;; and workgroup_state_v0 starts with workgroup_id x (u32), y (u32), z (u16).
(module
  (import "env" "memory" (memory 1))
  (import "env" "__indirect_function_table" (table 1 funcref))
  (type $dispatch_fn (func (param i32 i32 i32) (result i32)))

  ;; Runs every workgroup of one dispatch; returns the first non-zero status.
  (func $dispatch (param $rec i32) (param $env i32) (param $wg i32) (result i32)
    (local $x i32) (local $y i32) (local $z i32) (local $status i32)
    (loop $over_z
      (local.set $y (i32.const 0))
      (loop $over_y
        (local.set $x (i32.const 0))
        (loop $over_x
          (i32.store offset=0 (local.get $wg) (local.get $x))
          (i32.store offset=4 (local.get $wg) (local.get $y))
          (i32.store16 offset=8 (local.get $wg) (local.get $z))
          (local.set $status
            (call_indirect (type $dispatch_fn)
              (local.get $env) (i32.load offset=8 (local.get $rec)) (local.get $wg)
              (i32.load offset=4 (local.get $rec))))
          (if (local.get $status) (then (return (local.get $status))))
          (local.set $x (i32.add (local.get $x) (i32.const 1)))
          (br_if $over_x (i32.lt_u (local.get $x) (i32.load offset=12 (local.get $rec)))))
        (local.set $y (i32.add (local.get $y) (i32.const 1)))
        (br_if $over_y (i32.lt_u (local.get $y) (i32.load offset=16 (local.get $rec)))))
      (local.set $z (i32.add (local.get $z) (i32.const 1)))
      (br_if $over_z (i32.lt_u (local.get $z) (i32.load offset=20 (local.get $rec)))))
    (i32.const 0))

  ;; Writes a 32-bit pattern over `length` bytes from `target`.
  (func $fill_words (param $target i32) (param $pattern i32) (param $length i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $target) (local.get $length)))
    (block $done
      (loop $words
        (br_if $done (i32.ge_u (local.get $target) (local.get $end)))
        (i32.store (local.get $target) (local.get $pattern))
        (local.set $target (i32.add (local.get $target) (i32.const 4)))
        (br $words))))

  ;; Runs `count` records from `records`; returns 0, or the failing dispatch's status.
  (func (export "run") (param $records i32) (param $count i32) (param $env i32) (param $wg i32) (result i32)
    (local $rec i32) (local $end i32) (local $kind i32) (local $status i32)
    (local.set $rec (local.get $records))
    (local.set $end (i32.add (local.get $records) (i32.mul (local.get $count) (i32.const 32))))
    (block $done
      (loop $commands
        (br_if $done (i32.ge_u (local.get $rec) (local.get $end)))
        (local.set $kind (i32.load (local.get $rec)))
        (if (i32.eqz (local.get $kind))
          (then
            (local.set $status (call $dispatch (local.get $rec) (local.get $env) (local.get $wg)))
            (if (local.get $status) (then (return (local.get $status))))))
        (if (i32.eq (local.get $kind) (i32.const 1))
          (then
            (memory.fill (i32.load offset=4 (local.get $rec)) (i32.load offset=8 (local.get $rec))
                         (i32.load offset=12 (local.get $rec)))))
        (if (i32.eq (local.get $kind) (i32.const 2))
          (then
            (call $fill_words (i32.load offset=4 (local.get $rec)) (i32.load offset=8 (local.get $rec))
                              (i32.load offset=12 (local.get $rec)))))
        (local.set $rec (i32.add (local.get $rec) (i32.const 32)))
        (br $commands)))
    (i32.const 0)))
