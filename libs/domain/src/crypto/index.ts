export {
  CredentialCipher,
  generateEncryptionKeySpec,
  loadOrCreateKeyFile,
  parseEncryptionKeys,
  type EncryptionKey,
} from './credential-cipher';
export { resolveEncryptionKeys, type ResolvedEncryptionKeys } from './encryption-keys';
