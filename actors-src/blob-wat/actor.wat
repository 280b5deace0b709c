;; blob-wat: a whole object written to and read from wasi:blobstore, written by hand against the
;; component model's canonical ABI. With no language runtime inside, a call costs what the host
;; and the blobstore cost, which is what the providers bench measures it for.
(module
  (import "wasi:blobstore/blobstore@0.2.0-draft" "get-container"
    (func $get-container (param $name i32) (param $name-len i32) (param $ret i32)))
  (import "wasi:blobstore/blobstore@0.2.0-draft" "create-container"
    (func $create-container (param $name i32) (param $name-len i32) (param $ret i32)))
  (import "wasi:blobstore/container@0.2.0-draft" "[method]container.get-data"
    (func $get-data (param $self i32) (param $name i32) (param $name-len i32) (param $start i64) (param $end i64) (param $ret i32)))
  (import "wasi:blobstore/container@0.2.0-draft" "[method]container.write-data"
    (func $write-data (param $self i32) (param $name i32) (param $name-len i32) (param $value i32) (param $ret i32)))
  (import "wasi:blobstore/container@0.2.0-draft" "[resource-drop]container" (func $container.drop (param i32)))
  (import "wasi:blobstore/types@0.2.0-draft" "[static]outgoing-value.new-outgoing-value" (func $value.new (result i32)))
  (import "wasi:blobstore/types@0.2.0-draft" "[method]outgoing-value.outgoing-value-write-body"
    (func $value.body (param $self i32) (param $ret i32)))
  (import "wasi:blobstore/types@0.2.0-draft" "[static]outgoing-value.finish" (func $value.finish (param $value i32) (param $ret i32)))
  (import "wasi:blobstore/types@0.2.0-draft" "[resource-drop]outgoing-value" (func $value.drop (param i32)))
  (import "wasi:blobstore/types@0.2.0-draft" "[static]incoming-value.incoming-value-consume-sync"
    (func $value.consume (param $value i32) (param $ret i32)))
  (import "wasi:io/streams@0.2.10" "[method]output-stream.blocking-write-and-flush"
    (func $stream.write (param $self i32) (param $bytes i32) (param $len i32) (param $ret i32)))
  (import "wasi:io/streams@0.2.10" "[resource-drop]output-stream" (func $stream.drop (param i32)))
  (import "wasi:io/error@0.2.10" "[resource-drop]error" (func $error.drop (param i32)))

  (memory (export "memory") 1)
  (data (i32.const 16) "the value's body could not be opened")
  (data (i32.const 64) "writing the value's body failed")
  ;; An import's result is written at $ret (a tag at +0, the payload from +4); an export's at $out.
  (global $ret i32 (i32.const 1024))
  (global $out i32 (i32.const 1040))
  (global $heap-base i32 (i32.const 4096))
  (global $heap (mut i32) (i32.const 4096))
  ;; wasi:io's blocking-write-and-flush takes at most 4 KiB a call.
  (global $write-chunk i32 (i32.const 4096))

  ;; `ok` of a result<_, string> (or of one whose payload is already at $out + 4).
  (func $ok (result i32)
    (i32.store (global.get $out) (i32.const 0))
    (global.get $out))

  ;; `err` with the string at $ptr.
  (func $err (param $ptr i32) (param $len i32) (result i32)
    (i32.store (global.get $out) (i32.const 1))
    (i32.store offset=4 (global.get $out) (local.get $ptr))
    (i32.store offset=8 (global.get $out) (local.get $len))
    (global.get $out))

  ;; `err` with the store's error string that the last import left at $ret.
  (func $store-err (result i32)
    (call $err (i32.load offset=4 (global.get $ret)) (i32.load offset=8 (global.get $ret))))

  (func $failed (result i32) (i32.load8_u (global.get $ret)))

  (func (export "badger:blob-wat/bytes@0.1.0#read")
    (param $container i32) (param $container-len i32) (param $name i32) (param $name-len i32) (result i32)
    (local $handle i32)
    (call $get-container (local.get $container) (local.get $container-len) (global.get $ret))
    (if (call $failed) (then (return (call $store-err))))
    (local.set $handle (i32.load offset=4 (global.get $ret)))
    ;; From the first byte to past the end: the whole object.
    (call $get-data (local.get $handle) (local.get $name) (local.get $name-len) (i64.const 0) (i64.const -1) (global.get $ret))
    (call $container.drop (local.get $handle))
    (if (call $failed) (then (return (call $store-err))))
    (call $value.consume (i32.load offset=4 (global.get $ret)) (global.get $ret))
    (if (call $failed) (then (return (call $store-err))))
    ;; The bytes stay where the host put them until post-return.
    (i32.store offset=4 (global.get $out) (i32.load offset=4 (global.get $ret)))
    (i32.store offset=8 (global.get $out) (i32.load offset=8 (global.get $ret)))
    (call $ok))

  (func (export "badger:blob-wat/bytes@0.1.0#write")
    (param $container i32) (param $container-len i32) (param $name i32) (param $name-len i32)
    (param $data i32) (param $data-len i32) (result i32)
    (local $value i32) (local $stream i32) (local $at i32) (local $chunk i32) (local $handle i32)
    (local.set $value (call $value.new))
    (call $value.body (local.get $value) (global.get $ret))
    (if (call $failed)
      (then
        (call $value.drop (local.get $value))
        (return (call $err (i32.const 16) (i32.const 36)))))
    (local.set $stream (i32.load offset=4 (global.get $ret)))
    (block $written
      (loop $next
        (br_if $written (i32.ge_u (local.get $at) (local.get $data-len)))
        (local.set $chunk (i32.sub (local.get $data-len) (local.get $at)))
        (if (i32.gt_u (local.get $chunk) (global.get $write-chunk)) (then (local.set $chunk (global.get $write-chunk))))
        (call $stream.write (local.get $stream) (i32.add (local.get $data) (local.get $at)) (local.get $chunk) (global.get $ret))
        (if (call $failed)
          (then
            ;; last-operation-failed carries an error resource, which is ours to drop; closed carries nothing.
            (if (i32.eqz (i32.load8_u offset=4 (global.get $ret))) (then (call $error.drop (i32.load offset=8 (global.get $ret)))))
            (call $stream.drop (local.get $stream))
            (call $value.drop (local.get $value))
            (return (call $err (i32.const 64) (i32.const 31)))))
        (local.set $at (i32.add (local.get $at) (local.get $chunk)))
        (br $next)))
    (call $stream.drop (local.get $stream))
    ;; One crossing when the container is there (the usual case), rather than asking first.
    (call $get-container (local.get $container) (local.get $container-len) (global.get $ret))
    (if (call $failed)
      (then
        (call $create-container (local.get $container) (local.get $container-len) (global.get $ret))
        (if (call $failed)
          (then
            (call $value.drop (local.get $value))
            (return (call $store-err))))))
    (local.set $handle (i32.load offset=4 (global.get $ret)))
    (call $write-data (local.get $handle) (local.get $name) (local.get $name-len) (local.get $value) (global.get $ret))
    (if (call $failed)
      (then
        (call $container.drop (local.get $handle))
        (call $value.drop (local.get $value))
        (return (call $store-err))))
    ;; finish takes the value, and says whether the write was made.
    (call $value.finish (local.get $value) (global.get $ret))
    (call $container.drop (local.get $handle))
    (if (call $failed) (then (return (call $store-err))))
    (call $ok))

  ;; Once the host has read a call's result, everything that call allocated is free again.
  (func (export "cabi_post_badger:blob-wat/bytes@0.1.0#read") (param i32)
    (global.set $heap (global.get $heap-base)))
  (func (export "cabi_post_badger:blob-wat/bytes@0.1.0#write") (param i32)
    (global.set $heap (global.get $heap-base)))

  ;; The canonical ABI's allocator: a bump allocator, emptied after each call (see post-return),
  ;; that grows the memory when an object needs more.
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
