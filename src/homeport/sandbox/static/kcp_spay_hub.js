/*
 * homeport KCP sandbox — stand-in for KCP's PC window script (kcp_spay_hub.js).
 * TEST ONLY: no money moves.
 *
 * The merchant page declares m_Completepayment(FormOrJson, closeEvent) before loading this
 * script, then calls KCP_Pay_Execute_Web(form) (or the older KCP_Pay_Execute(form)).
 * The script posts the form's fields into the sandbox PC window, shown in a full-screen
 * overlay iframe. When the window finishes it sends a JSON message (window.postMessage);
 * the script accepts it only from its own origin and from the iframe it opened, copies the
 * result into the merchant form (GetField) and calls m_Completepayment(result, closeEvent).
 * closeEvent() removes the overlay.
 */
(function (global) {
  "use strict";

  var document = global.document;
  var current = document.currentScript;
  var scriptUrl = new URL(current && current.src ? current.src : "/plugin/kcp_spay_hub.js", global.location.href);
  var SANDBOX_ORIGIN = scriptUrl.origin;
  var WINDOW_URL = new URL("../pay/pc", scriptUrl).href;
  var MESSAGE_SOURCE = "homeport-kcp-sandbox";
  var MESSAGE_TYPE = "kcp_pay_result";
  var SKIPPED_TYPES = { button: 1, submit: 1, reset: 1, file: 1, image: 1 };

  var active = null;

  function nonce() {
    var bytes = new Uint8Array(16);
    global.crypto.getRandomValues(bytes);
    var out = "";
    for (var i = 0; i < bytes.length; i++) out += ("0" + bytes[i].toString(16)).slice(-2);
    return out;
  }

  /* [name, value] pairs a browser would submit for this form. */
  function formFields(form) {
    var pairs = [];
    var elements = form.elements;
    for (var i = 0; i < elements.length; i++) {
      var el = elements[i];
      var type = (el.type || "").toLowerCase();
      if (!el.name || el.disabled || SKIPPED_TYPES[type]) continue;
      if ((type === "checkbox" || type === "radio") && !el.checked) continue;
      if (type === "select-multiple") {
        for (var j = 0; j < el.options.length; j++) {
          if (el.options[j].selected) pairs.push([el.name, el.options[j].value]);
        }
        continue;
      }
      pairs.push([el.name, el.value]);
    }
    return pairs;
  }

  function setField(frm, name, value) {
    var text = value === null || value === undefined ? "" : String(value);
    var found = frm.elements.namedItem(name);
    if (!found) {
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = name;
      input.value = text;
      frm.appendChild(input);
      return;
    }
    if (found.tagName) {
      found.value = text;
      return;
    }
    for (var i = 0; i < found.length; i++) found[i].value = text; /* several inputs, one name */
  }

  /*
   * Copy a result (a form, or a plain object of KCP field names: res_cd, res_msg, enc_data,
   * enc_info, tran_cd, ret_pay_method, use_pay_method, ordr_chk, card_mask_no...) into the
   * same-named inputs of frm, creating hidden inputs for missing ones.
   */
  function GetField(frm, FormOrJson) {
    if (!frm || !FormOrJson) return;
    var i;
    if (FormOrJson.tagName && FormOrJson.elements) {
      var pairs = formFields(FormOrJson);
      for (i = 0; i < pairs.length; i++) setField(frm, pairs[i][0], pairs[i][1]);
      return;
    }
    var names = Object.keys(FormOrJson);
    for (i = 0; i < names.length; i++) {
      var value = FormOrJson[names[i]];
      if (value === null || typeof value !== "object") setField(frm, names[i], value);
    }
  }

  function closeEvent() {
    if (!active) return;
    var finished = active;
    active = null;
    if (finished.overlay.parentNode) finished.overlay.parentNode.removeChild(finished.overlay);
    document.documentElement.style.overflow = finished.overflow;
  }

  function KCP_Pay_Execute_Web(form) {
    if (!form || !form.elements) throw new Error("KCP_Pay_Execute_Web: an order form is required");
    if (active) closeEvent();
    var token = nonce();
    var name = "kcp_sandbox_window_" + token;

    var overlay = document.createElement("div");
    overlay.id = "kcp-sandbox-overlay";
    overlay.setAttribute("role", "dialog");
    overlay.setAttribute("aria-modal", "true");
    overlay.setAttribute("aria-label", "KCP 결제창 (sandbox)");
    overlay.style.cssText =
      "position:fixed;inset:0;z-index:2147483000;background:rgba(0,0,0,.55);" +
      "display:flex;align-items:center;justify-content:center;";

    var frame = document.createElement("iframe");
    frame.name = name;
    frame.id = "kcp-sandbox-window";
    frame.title = "KCP 결제창 (sandbox)";
    frame.style.cssText =
      "width:min(600px,100%);height:min(760px,100%);border:0;border-radius:10px;background:#fff;";
    overlay.appendChild(frame);

    var post = document.createElement("form");
    post.method = "post";
    post.action = WINDOW_URL;
    post.target = name;
    post.acceptCharset = "UTF-8";
    post.style.display = "none";
    var pairs = formFields(form);
    pairs.push(["sandbox_parent_origin", global.location.origin]);
    pairs.push(["sandbox_nonce", token]);
    for (var i = 0; i < pairs.length; i++) {
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = pairs[i][0];
      input.value = pairs[i][1];
      post.appendChild(input);
    }
    overlay.appendChild(post);

    active = {
      form: form,
      overlay: overlay,
      frame: frame,
      nonce: token,
      overflow: document.documentElement.style.overflow
    };
    document.body.appendChild(overlay);
    document.documentElement.style.overflow = "hidden";
    post.submit();
  }

  global.addEventListener("message", function (event) {
    if (!active || event.origin !== SANDBOX_ORIGIN || event.source !== active.frame.contentWindow) return;
    var message;
    try {
      message = typeof event.data === "string" ? JSON.parse(event.data) : event.data;
    } catch (e) {
      return;
    }
    if (!message || message.source !== MESSAGE_SOURCE || message.type !== MESSAGE_TYPE) return;
    if (message.nonce !== active.nonce || !message.fields || typeof message.fields !== "object") return;
    var result = message.fields;
    GetField(active.form, result);
    if (typeof global.m_Completepayment === "function") {
      global.m_Completepayment(result, closeEvent);
    } else {
      if (global.console) global.console.error("KCP sandbox: m_Completepayment is not defined on this page");
      closeEvent();
    }
  });

  global.KCP_Pay_Execute_Web = KCP_Pay_Execute_Web;
  global.KCP_Pay_Execute = KCP_Pay_Execute_Web;
  global.GetField = GetField;
})(window);
