export { IdentifierSet } from './identifier-set';
