// Compiled only with lib "esnext.disposable" (scripts/wasm-pack.sh): there the client is
// Disposable, so `using` type-checks; without the lib, consumer.ts compiles on its own.
import { FacegateClient } from "facegate";

export function scoped(): void {
  using client = new FacegateClient({ baseUrl: "https://verify.example.com" });
  const dispose: () => void = client[Symbol.dispose];
  void dispose;
}
