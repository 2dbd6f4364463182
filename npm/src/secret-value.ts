/**
 * A secret value (PAT, private key, passphrase). It prints as `***` in logs, `JSON.stringify`,
 * `util.inspect` and template strings; `expose()` is the one way to read it.
 */
export class SecretValue {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  expose(): string {
    return this.#value;
  }
  get isEmpty(): boolean {
    return this.#value.length === 0;
  }
  toString(): string {
    return '***';
  }
  toJSON(): string {
    return '***';
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return 'SecretValue(***)';
  }
}
