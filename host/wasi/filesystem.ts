/**
 * Host side of wasi:filesystem 0.2 with no preopens: an empty filesystem. Rust's and .NET's
 * standard libraries import it whether or not they touch a file, so it is given without a claim
 * because it grants nothing. Real directories come from a claimed filesystem provider.
 */

// No descriptor or directory stream can exist without a preopen, so no method is ever reached:
// the classes are there because jco checks, at instantiation, that each imported resource has one.
class Descriptor {
  private constructor() {}
}
class DirectoryEntryStream {
  private constructor() {}
}

export function filesystemImports(): Record<string, Record<string, unknown>> {
  return {
    'wasi:filesystem/preopens': { getDirectories: () => [] },
    'wasi:filesystem/types': {
      Descriptor,
      DirectoryEntryStream,
      // Errors of streams this host makes are never filesystem errors.
      filesystemErrorCode: () => undefined,
    },
  };
}
