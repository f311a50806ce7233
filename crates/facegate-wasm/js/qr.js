// facegate's QR code module, loaded the first time a page draws a QR code (qrCodeSvg), so that
// pages which never hand off to a phone do not download the encoder. wasm-bindgen copies this
// file to <package>/snippets/facegate-wasm-<hash>/js/qr.js; the module sits at the package's
// root, beside facegate.js: facegate_qr.js, which fetches facegate_qr_bg.wasm beside itself.
// A bundler follows the literal import. Where fetch cannot read the package (Node), import
// "facegate/qr" and call its initSync first: this import then finds it initialised.
let loading;

export function qrSvg(text, border, dark, light) {
  loading ??= import("../../../facegate_qr.js").then(async (qr) => {
    await qr.default();
    return qr;
  });
  const loaded = loading;
  return loaded.then(
    (qr) => qr.qrSvg(text, border, dark, light),
    (error) => {
      // A failed load is not remembered here: the next call asks again (a browser may still
      // answer from its own record of a failed module fetch until the page reloads).
      if (loading === loaded) loading = undefined;
      throw { unavailable: String(error?.message ?? error) };
    },
  );
}
