// Security keys (WebAuthn): adding one on the account page, and using one
// as the second factor at sign-in. The server sends the ceremony options as
// JSON with binary fields in base64url; the browser's answer goes back the
// same way, as a form field beside the page's CSRF token.
(function () {
  "use strict";

  function fromB64u(s) {
    s = s.replace(/-/g, "+").replace(/_/g, "/");
    while (s.length % 4) s += "=";
    const bin = atob(s);
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out.buffer;
  }

  function toB64u(buf) {
    const bytes = new Uint8Array(buf);
    let bin = "";
    for (let i = 0; i < bytes.length; i++) bin += String.fromCharCode(bytes[i]);
    return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  async function post(url, fields) {
    let resp;
    try {
      resp = await fetch(url, {
        method: "POST",
        body: new URLSearchParams(fields),
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
    } catch (e) {
      return { error: "The server could not be reached. Check the connection and try again." };
    }
    try {
      return await resp.json();
    } catch (e) {
      return { error: "The page has expired. Reload it and try again." };
    }
  }

  function show(el, msg) {
    el.textContent = msg || "";
    el.hidden = !msg;
  }

  function creationOptions(o) {
    const pk = o.publicKey;
    pk.challenge = fromB64u(pk.challenge);
    pk.user.id = fromB64u(pk.user.id);
    (pk.excludeCredentials || []).forEach(function (c) { c.id = fromB64u(c.id); });
    return pk;
  }

  function requestOptions(o) {
    const pk = o.publicKey;
    pk.challenge = fromB64u(pk.challenge);
    (pk.allowCredentials || []).forEach(function (c) { c.id = fromB64u(c.id); });
    return pk;
  }

  function encodeCreated(cred) {
    const r = cred.response;
    return JSON.stringify({
      id: cred.id,
      rawId: toB64u(cred.rawId),
      type: cred.type,
      authenticatorAttachment: cred.authenticatorAttachment || undefined,
      response: {
        clientDataJSON: toB64u(r.clientDataJSON),
        attestationObject: toB64u(r.attestationObject),
        transports: r.getTransports ? r.getTransports() : [],
      },
      clientExtensionResults: cred.getClientExtensionResults(),
    });
  }

  function encodeAssertion(cred) {
    const r = cred.response;
    return JSON.stringify({
      id: cred.id,
      rawId: toB64u(cred.rawId),
      type: cred.type,
      authenticatorAttachment: cred.authenticatorAttachment || undefined,
      response: {
        clientDataJSON: toB64u(r.clientDataJSON),
        authenticatorData: toB64u(r.authenticatorData),
        signature: toB64u(r.signature),
        userHandle: r.userHandle ? toB64u(r.userHandle) : undefined,
      },
      clientExtensionResults: cred.getClientExtensionResults(),
    });
  }

  function unsupported() {
    return !window.PublicKeyCredential || !navigator.credentials;
  }

  const register = document.getElementById("key-register");
  if (register) {
    const err = document.getElementById("key-name-err");
    register.addEventListener("submit", async function (ev) {
      ev.preventDefault();
      show(err, "");
      if (unsupported()) {
        show(err, "This browser cannot use security keys.");
        return;
      }
      const csrf = register.elements.csrf.value;
      const name = register.elements.name.value.trim();
      if (!name) {
        show(err, "Name the key so you can tell it apart (1 to 64 characters).");
        return;
      }
      const begin = await post(register.dataset.options, { csrf: csrf });
      if (!begin.options) {
        show(err, begin.error || "The key could not be added. Reload the page and try again.");
        return;
      }
      let cred;
      try {
        cred = await navigator.credentials.create({ publicKey: creationOptions(begin.options) });
      } catch (e) {
        show(err, "The security key did not answer, or it is already added (" + e.name + "). Try again.");
        return;
      }
      const done = await post(register.action, { csrf: csrf, name: name, credential: encodeCreated(cred) });
      if (done.redirect) {
        window.location.assign(done.redirect);
        return;
      }
      show(err, done.error || "The key could not be added.");
    });
  }

  const signin = document.getElementById("key-signin");
  if (signin) {
    const err = document.getElementById("key-error");
    signin.addEventListener("submit", async function (ev) {
      ev.preventDefault();
      show(err, "");
      if (unsupported()) {
        show(err, "This browser cannot use security keys. Use the code from your authenticator app.");
        return;
      }
      const csrf = signin.elements.csrf.value;
      const begin = await post(signin.dataset.options, { csrf: csrf });
      if (begin.redirect) {
        window.location.assign(begin.redirect);
        return;
      }
      if (!begin.options) {
        show(err, begin.error || "The security key cannot be used right now.");
        return;
      }
      let cred;
      try {
        cred = await navigator.credentials.get({ publicKey: requestOptions(begin.options) });
      } catch (e) {
        show(err, "The security key did not answer (" + e.name + "). Try again, or use the code from your authenticator app.");
        return;
      }
      const done = await post(signin.action, { csrf: csrf, credential: encodeAssertion(cred) });
      if (done.redirect) {
        window.location.assign(done.redirect);
        return;
      }
      show(err, done.error || "The security key was not accepted.");
    });
  }
})();
