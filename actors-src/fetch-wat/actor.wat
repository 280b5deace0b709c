;; fetch-wat: an HTTP GET through wasi:http/outgoing-handler, written by hand against the component
;; model's canonical ABI. With no language runtime inside, a call costs what the host and the
;; http-client provider cost, which is what the providers bench measures it for.
(module
  (import "wasi:http/types@0.2.10" "[constructor]fields" (func $fields.new (result i32)))
  (import "wasi:http/types@0.2.10" "[constructor]outgoing-request" (func $request.new (param $headers i32) (result i32)))
  ;; method and option<scheme> flattened: their tags, then the payload of `other`.
  (import "wasi:http/types@0.2.10" "[method]outgoing-request.set-method"
    (func $request.set-method (param $self i32) (param $tag i32) (param i32 i32) (result i32)))
  (import "wasi:http/types@0.2.10" "[method]outgoing-request.set-scheme"
    (func $request.set-scheme (param $self i32) (param $some i32) (param $tag i32) (param i32 i32) (result i32)))
  (import "wasi:http/types@0.2.10" "[method]outgoing-request.set-authority"
    (func $request.set-authority (param $self i32) (param $some i32) (param $ptr i32) (param $len i32) (result i32)))
  (import "wasi:http/types@0.2.10" "[method]outgoing-request.set-path-with-query"
    (func $request.set-path (param $self i32) (param $some i32) (param $ptr i32) (param $len i32) (result i32)))
  (import "wasi:http/types@0.2.10" "[method]outgoing-request.body" (func $request.body (param $self i32) (param $ret i32)))
  (import "wasi:http/types@0.2.10" "[resource-drop]outgoing-request" (func $request.drop (param i32)))
  (import "wasi:http/types@0.2.10" "[static]outgoing-body.finish"
    (func $body.finish (param $body i32) (param $has-trailers i32) (param $trailers i32) (param $ret i32)))
  (import "wasi:http/outgoing-handler@0.2.10" "handle"
    (func $send (param $request i32) (param $has-options i32) (param $options i32) (param $ret i32)))
  (import "wasi:http/types@0.2.10" "[method]future-incoming-response.subscribe" (func $future.subscribe (param $self i32) (result i32)))
  (import "wasi:http/types@0.2.10" "[method]future-incoming-response.get" (func $future.get (param $self i32) (param $ret i32)))
  (import "wasi:http/types@0.2.10" "[resource-drop]future-incoming-response" (func $future.drop (param i32)))
  (import "wasi:http/types@0.2.10" "[method]incoming-response.status" (func $response.status (param $self i32) (result i32)))
  (import "wasi:http/types@0.2.10" "[method]incoming-response.consume" (func $response.consume (param $self i32) (param $ret i32)))
  (import "wasi:http/types@0.2.10" "[resource-drop]incoming-response" (func $response.drop (param i32)))
  (import "wasi:http/types@0.2.10" "[method]incoming-body.stream" (func $incoming-body.stream (param $self i32) (param $ret i32)))
  (import "wasi:http/types@0.2.10" "[resource-drop]incoming-body" (func $incoming-body.drop (param i32)))
  (import "wasi:io/poll@0.2.10" "[method]pollable.block" (func $pollable.block (param $self i32)))
  (import "wasi:io/poll@0.2.10" "[resource-drop]pollable" (func $pollable.drop (param i32)))
  (import "wasi:io/streams@0.2.10" "[method]input-stream.blocking-read"
    (func $stream.read (param $self i32) (param $len i64) (param $ret i32)))
  (import "wasi:io/streams@0.2.10" "[resource-drop]input-stream" (func $stream.drop (param i32)))
  (import "wasi:io/error@0.2.10" "[resource-drop]error" (func $error.drop (param i32)))

  (memory (export "memory") 1)
  (data (i32.const 16) "the request has no body to finish")
  (data (i32.const 64) "the response was taken already")
  (data (i32.const 112) "the response has no body to read")
  (data (i32.const 160) "reading the body failed")
  ;; "wasi:http error-code " and then the code's case number, in two digits.
  (data (i32.const 256) "wasi:http error-code ")
  ;; An import's result is written at $ret; an export's at $out. Both are aligned for u64 payloads.
  (global $ret i32 (i32.const 1024))
  (global $out i32 (i32.const 1088))
  (global $heap-base i32 (i32.const 4096))
  (global $heap (mut i32) (i32.const 4096))
  (global $read-chunk i64 (i64.const 65536))

  ;; `err` with the string at $ptr. result<fetched, string> keeps its payload at +8 (fetched holds a u64).
  (func $err (param $ptr i32) (param $len i32) (result i32)
    (i32.store (global.get $out) (i32.const 1))
    (i32.store offset=8 (global.get $out) (local.get $ptr))
    (i32.store offset=12 (global.get $out) (local.get $len))
    (global.get $out))

  ;; `err` naming a wasi:http error-code by its case number (HTTP-request-denied is 15).
  (func $code-err (param $case i32) (result i32)
    (i32.store8 (i32.const 277) (i32.add (i32.const 48) (i32.div_u (local.get $case) (i32.const 10))))
    (i32.store8 (i32.const 278) (i32.add (i32.const 48) (i32.rem_u (local.get $case) (i32.const 10))))
    (call $err (i32.const 256) (i32.const 23)))

  (func (export "badger:fetch-wat/fetch@0.1.0#get")
    (param $authority i32) (param $authority-len i32) (param $path i32) (param $path-len i32) (result i32)
    (local $request i32) (local $future i32) (local $pollable i32) (local $response i32) (local $status i32)
    (local $body i32) (local $stream i32) (local $length i64) (local $mark i32)
    (local.set $request (call $request.new (call $fields.new)))
    ;; GET, http, the authority and the path: each setter's result is ok for values of these shapes.
    (drop (call $request.set-method (local.get $request) (i32.const 0) (i32.const 0) (i32.const 0)))
    (drop (call $request.set-scheme (local.get $request) (i32.const 1) (i32.const 0) (i32.const 0) (i32.const 0)))
    (drop (call $request.set-authority (local.get $request) (i32.const 1) (local.get $authority) (local.get $authority-len)))
    (drop (call $request.set-path (local.get $request) (i32.const 1) (local.get $path) (local.get $path-len)))
    ;; A GET's empty body is finished before it is sent, so it goes out with no body at all.
    (call $request.body (local.get $request) (global.get $ret))
    (if (i32.load8_u (global.get $ret))
      (then
        (call $request.drop (local.get $request))
        (return (call $err (i32.const 16) (i32.const 33)))))
    (call $body.finish (i32.load offset=4 (global.get $ret)) (i32.const 0) (i32.const 0) (global.get $ret))
    (if (i32.load8_u (global.get $ret))
      (then
        (call $request.drop (local.get $request))
        (return (call $code-err (i32.load8_u offset=8 (global.get $ret))))))
    (call $send (local.get $request) (i32.const 0) (i32.const 0) (global.get $ret))
    (if (i32.load8_u (global.get $ret)) (then (return (call $code-err (i32.load8_u offset=8 (global.get $ret))))))
    (local.set $future (i32.load offset=8 (global.get $ret)))
    (local.set $pollable (call $future.subscribe (local.get $future)))
    (call $pollable.block (local.get $pollable))
    (call $pollable.drop (local.get $pollable))
    ;; option<result<result<incoming-response, error-code>>>: some at +0, the outer result at +8,
    ;; the inner one at +16, the response (or the error-code's case) at +24.
    (call $future.get (local.get $future) (global.get $ret))
    (call $future.drop (local.get $future))
    (if (i32.or (i32.eqz (i32.load8_u (global.get $ret))) (i32.load8_u offset=8 (global.get $ret)))
      (then (return (call $err (i32.const 64) (i32.const 30)))))
    (if (i32.load8_u offset=16 (global.get $ret)) (then (return (call $code-err (i32.load8_u offset=24 (global.get $ret))))))
    (local.set $response (i32.load offset=24 (global.get $ret)))
    (local.set $status (call $response.status (local.get $response)))
    (call $response.consume (local.get $response) (global.get $ret))
    (if (i32.load8_u (global.get $ret))
      (then
        (call $response.drop (local.get $response))
        (return (call $err (i32.const 112) (i32.const 32)))))
    (local.set $body (i32.load offset=4 (global.get $ret)))
    (call $incoming-body.stream (local.get $body) (global.get $ret))
    (if (i32.load8_u (global.get $ret))
      (then
        (call $incoming-body.drop (local.get $body))
        (call $response.drop (local.get $response))
        (return (call $err (i32.const 112) (i32.const 32)))))
    (local.set $stream (i32.load offset=4 (global.get $ret)))
    ;; Only the length is kept: each chunk's memory is free again once counted.
    (local.set $mark (global.get $heap))
    (block $ended
      (loop $next
        (call $stream.read (local.get $stream) (global.get $read-chunk) (global.get $ret))
        (global.set $heap (local.get $mark))
        (if (i32.eqz (i32.load8_u (global.get $ret)))
          (then
            (local.set $length (i64.add (local.get $length) (i64.extend_i32_u (i32.load offset=8 (global.get $ret)))))
            (br $next)))
        ;; stream-error: closed (1) is the body's end; last-operation-failed (0) carries an error to drop.
        (br_if $ended (i32.eq (i32.load8_u offset=4 (global.get $ret)) (i32.const 1)))
        (call $error.drop (i32.load offset=8 (global.get $ret)))
        (call $stream.drop (local.get $stream))
        (call $incoming-body.drop (local.get $body))
        (call $response.drop (local.get $response))
        (return (call $err (i32.const 160) (i32.const 23)))))
    ;; A stream goes before the body it belongs to, the body before its response.
    (call $stream.drop (local.get $stream))
    (call $incoming-body.drop (local.get $body))
    (call $response.drop (local.get $response))
    (i32.store (global.get $out) (i32.const 0))
    (i32.store16 offset=8 (global.get $out) (local.get $status))
    (i64.store offset=16 (global.get $out) (local.get $length))
    (global.get $out))

  ;; Once the host has read a call's result, everything that call allocated is free again.
  (func (export "cabi_post_badger:fetch-wat/fetch@0.1.0#get") (param i32)
    (global.set $heap (global.get $heap-base)))

  ;; The canonical ABI's allocator: a bump allocator, emptied after each call (see post-return),
  ;; that grows the memory when a value needs more.
  (func (export "cabi_realloc") (param $old i32) (param $old-size i32) (param $align i32) (param $size i32) (result i32)
    (local $at i32) (local $end i32)
    (local.set $at
      (i32.and
        (i32.add (global.get $heap) (i32.sub (local.get $align) (i32.const 1)))
        (i32.xor (i32.sub (local.get $align) (i32.const 1)) (i32.const -1))))
    (local.set $end (i32.add (local.get $at) (local.get $size)))
    (if (i32.gt_u (local.get $end) (i32.mul (memory.size) (i32.const 65536)))
      (then
        (if (i32.eq
              (memory.grow (i32.div_u (i32.add (i32.sub (local.get $end) (i32.mul (memory.size) (i32.const 65536))) (i32.const 65535)) (i32.const 65536)))
              (i32.const -1))
          (then (unreachable)))))
    (global.set $heap (local.get $end))
    ;; A reallocation keeps what the old block held.
    (if (i32.ne (local.get $old) (i32.const 0))
      (then
        (memory.copy (local.get $at) (local.get $old)
          (select (local.get $old-size) (local.get $size) (i32.lt_u (local.get $old-size) (local.get $size))))))
    (local.get $at)))
