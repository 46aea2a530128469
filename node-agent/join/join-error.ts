// A failed join, with a message that says what is wrong and what to do: the command prints it
// and exits, without a stack.
export class JoinError extends Error {
  override readonly name = 'JoinError';
}
