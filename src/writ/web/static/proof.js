// Checks an audit entry's inclusion proof in the browser, with WebCrypto, trusting nothing the
// server says about the result: the entry is hashed here (RFC 9162 leaf hash over the same
// canonical JSON the ledger hashes), the audit path is folded up to a root here, and the root is
// compared with the signed tree head, whose Ed25519 signature is checked here too.
"use strict";

(function () {
  const data = JSON.parse(document.getElementById("proof-data").textContent);
  const box = document.getElementById("browser-check");
  const heading = document.getElementById("browser-check-heading");
  const text = document.getElementById("browser-check-text");

  function hex(bytes) {
    return Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, "0")).join("");
  }
  function unhex(s) {
    const out = new Uint8Array(s.length / 2);
    for (let i = 0; i < out.length; i++) out[i] = parseInt(s.substr(i * 2, 2), 16);
    return out;
  }
  function concat(...parts) {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) { out.set(p, at); at += p.length; }
    return out;
  }
  async function sha256(bytes) {
    return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  }
  // Python's json.dumps(sort_keys=True, separators=(",", ":"), ensure_ascii=False).
  function canonical(value) {
    if (value === null || typeof value !== "object") return JSON.stringify(value);
    if (Array.isArray(value)) return "[" + value.map(canonical).join(",") + "]";
    const keys = Object.keys(value).sort();
    return "{" + keys.map((k) => JSON.stringify(k) + ":" + canonical(value[k])).join(",") + "}";
  }
  // RFC 9162, 2.1.3.2: verify an inclusion proof.
  async function rootFromPath(index, size, leaf, path) {
    if (index >= size) return null;
    let fn = index, sn = size - 1, r = leaf;
    for (const p of path) {
      if (sn === 0) return null;
      if (fn % 2 === 1 || fn === sn) {
        r = await sha256(concat([1], p, r));
        if (fn % 2 === 0) {
          while (!(fn % 2 === 1 || fn === 0)) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); }
        }
      } else {
        r = await sha256(concat([1], r, p));
      }
      fn = Math.floor(fn / 2); sn = Math.floor(sn / 2);
    }
    return sn === 0 ? r : null;
  }
  async function signatureOk(head) {
    const payload = new TextEncoder().encode(
      `${head.format}\n${head.tree_size}\n${head.root_hash}\n${head.timestamp}\n`);
    try {
      const key = await crypto.subtle.importKey(
        "raw", unhex(data.public_key), { name: "Ed25519" }, false, ["verify"]);
      return await crypto.subtle.verify({ name: "Ed25519" }, key, unhex(head.signature), payload);
    } catch (error) {
      return null; // this browser's WebCrypto has no Ed25519
    }
  }
  function show(ok, title, message) {
    box.classList.remove("usa-alert--info");
    box.classList.add(ok ? "usa-alert--success" : "usa-alert--error");
    heading.textContent = title;
    text.textContent = message;
    box.dataset.result = ok ? "verified" : "failed";
  }

  async function check() {
    const head = data.tree_head;
    const leaf = await sha256(concat([0], new TextEncoder().encode(canonical(data.entry))));
    if (hex(leaf) !== data.leaf_hash) {
      show(false, "The entry does not match its hash",
        `This browser hashed entry ${data.seq} to ${hex(leaf)}, not the recorded ${data.leaf_hash}: the entry was altered.`);
      return;
    }
    const root = await rootFromPath(data.leaf_index, head.tree_size, leaf, data.proof.map(unhex));
    if (root === null || hex(root) !== head.root_hash) {
      show(false, "The proof does not verify",
        `The audit path of entry ${data.seq} does not lead to the signed root ${head.root_hash}.`);
      return;
    }
    const signed = await signatureOk(head);
    if (signed === false) {
      show(false, "The tree head's signature is not valid",
        `The root is right, but the signature on the tree head of size ${head.tree_size} does not verify with the ledger key.`);
      return;
    }
    const signedText = signed ? " and the ledger key's Ed25519 signature on that root checks out" :
      " (this browser cannot check Ed25519 signatures)";
    show(true, "Verified in your browser",
      `Entry ${data.seq} hashes to its recorded leaf, its ${data.proof.length}-step audit path leads to root ${head.root_hash.slice(0, 16)}… of the tree of ${head.tree_size} entries,${signedText}.`);
  }

  check().catch((error) => show(false, "The check could not run", String(error)));
})();
