export { capabilityDisplayName, capabilityInterface } from './capabilities.ts';
export { WASCAP_REVISION, type ComponentClaims, type ComponentMetadata } from './claims.ts';
export { ClaimsError, type ClaimsErrorCode } from './errors.ts';
export { decodeClaimsToken } from './jwt.ts';
export { computeModuleHash, RecentModuleHashes } from './module-hash.ts';
export {
  decodePublicKey,
  generateKeyPair,
  isKeyType,
  KEY_TYPES,
  keyPairFromSeed,
  publicKeyType,
  verifyWithPublicKey,
  type KeyPair,
  type KeyType,
  type PublicKey,
  type Seed,
} from './nkeys.ts';
export { signArtifact, type ClaimsRequest, type SignedArtifact, type SignRequest } from './sign.ts';
export { verifyArtifact, verifyToken, type ClaimsVerification } from './verify.ts';
export { HASH_LAYOUTS, readTopLevelToken, stripTokenSections, wasmKind, type HashLayout } from './wasm-sections.ts';
export { concatBytes, encodeU32, MODULE_HEADER, readHeader, readSections, readU32, sectionHeader, type Section, type WasmKind } from './wasm-binary.ts';
