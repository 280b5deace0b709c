;; hello-wat: the greeting of the `hello` actor, written by hand against the component model's
;; canonical ABI, to show that any language that targets components can be an actor.
(module
  (import "wasi:http/types@0.2.10" "[constructor]fields" (func $fields.new (result i32)))
  (import "wasi:http/types@0.2.10" "[method]fields.append"
    (func $fields.append (param $self i32) (param $name i32) (param $name-len i32) (param $value i32) (param $value-len i32) (param $ret i32)))
  (import "wasi:http/types@0.2.10" "[constructor]outgoing-response" (func $response.new (param $headers i32) (result i32)))
  (import "wasi:http/types@0.2.10" "[method]outgoing-response.body" (func $response.body (param $self i32) (param $ret i32)))
  (import "wasi:http/types@0.2.10" "[method]outgoing-body.write" (func $body.write (param $self i32) (param $ret i32)))
  (import "wasi:http/types@0.2.10" "[static]outgoing-body.finish"
    (func $body.finish (param $body i32) (param $has-trailers i32) (param $trailers i32) (param $ret i32)))
  ;; result<outgoing-response, error-code>, flattened: tag, then the joined payload slots.
  (import "wasi:http/types@0.2.10" "[static]response-outparam.set"
    (func $outparam.set (param i32 i32 i32 i32 i64 i32 i32 i32 i32)))
  (import "wasi:http/types@0.2.10" "[resource-drop]incoming-request" (func $request.drop (param i32)))
  (import "wasi:io/streams@0.2.10" "[method]output-stream.blocking-write-and-flush"
    (func $stream.write (param $self i32) (param $bytes i32) (param $len i32) (param $ret i32)))
  (import "wasi:io/streams@0.2.10" "[resource-drop]output-stream" (func $stream.drop (param i32)))

  (memory (export "memory") 1)
  (data (i32.const 16) "content-type")
  (data (i32.const 32) "text/plain; charset=utf-8")
  (data (i32.const 64) "Hello from awesome-badger!\n")
  ;; Results too wide for a return value are written here: a tag at +0, the payload at +4.
  (global $ret i32 (i32.const 1024))
  (global $heap (mut i32) (i32.const 4096))

  (func (export "wasi:http/incoming-handler@0.2.10#handle") (param $request i32) (param $outparam i32)
    (local $response i32) (local $body i32) (local $stream i32) (local $headers i32)
    (call $request.drop (local.get $request))
    (local.set $headers (call $fields.new))
    (call $fields.append (local.get $headers) (i32.const 16) (i32.const 12) (i32.const 32) (i32.const 25) (global.get $ret))
    (local.set $response (call $response.new (local.get $headers)))
    (call $response.body (local.get $response) (global.get $ret))
    (local.set $body (i32.load offset=4 (global.get $ret)))
    (call $body.write (local.get $body) (global.get $ret))
    (local.set $stream (i32.load offset=4 (global.get $ret)))
    (call $outparam.set (local.get $outparam) (i32.const 0) (local.get $response)
      (i32.const 0) (i64.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0))
    (call $stream.write (local.get $stream) (i32.const 64) (i32.const 27) (global.get $ret))
    (call $stream.drop (local.get $stream))
    (call $body.finish (local.get $body) (i32.const 0) (i32.const 0) (global.get $ret)))

  ;; The canonical ABI's allocator: a bump allocator is enough for an actor that never frees.
  (func (export "cabi_realloc") (param $old i32) (param $old-size i32) (param $align i32) (param $size i32) (result i32)
    (local $at i32)
    (local.set $at
      (i32.and
        (i32.add (global.get $heap) (i32.sub (local.get $align) (i32.const 1)))
        (i32.xor (i32.sub (local.get $align) (i32.const 1)) (i32.const -1))))
    (global.set $heap (i32.add (local.get $at) (local.get $size)))
    (local.get $at)))
