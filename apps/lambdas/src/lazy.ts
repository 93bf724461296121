/** Memoises a handler's composition across warm invocations (built on the first event that needs it). */
export function lazy<T>(make: () => T): () => T {
  let v: T | undefined;
  let made = false;
  return () => {
    if (!made) {
      v = make();
      made = true;
    }
    return v as T;
  };
}
