/*
 * homeport's i'mport-compatible browser SDK: IMP.init(code) and IMP.request_pay(params, callback)
 * (iamport-v1 §7). A merchant changes only the script tag: this file is served at /v1/iamport.js
 * and at the legacy names /js/iamport.payment.js and /js/iamport.payment-{x.y.z}.js, and finds
 * homeport's address from its own <script src>, so it needs no configuration.
 *
 * How a payment runs (decision 0010):
 * - PC: a full-screen overlay (div.imp-dialog) holds an iframe; the order is POSTed into it
 *   (homeport's /checkout/v1/pay registers it and opens KCP's PC window there). The result page
 *   posts {from: "homeport-checkout", type: "result", response: rsp} to this page; like i'mport's
 *   SDK (which trusts only service.iamport.kr, §7.2) it is accepted only from homeport's origin
 *   and from the iframe this call opened, then callback(rsp) runs with the §7.4 fields.
 * - Mobile, or `popup: false`: the whole page is POSTed to /checkout/v1/pay and goes through KCP's
 *   mobile window; the result comes back to m_redirect_url (§7.5), the callback never runs.
 * - Without a callback on PC, the result is sent to m_redirect_url as on mobile (§7.5).
 */
(function (global) {
  "use strict";

  var document = global.document;
  var current = document.currentScript;
  var scriptUrl = new URL(current && current.src ? current.src : "/v1/iamport.js", global.location.href);
  var HOMEPORT = scriptUrl.origin;
  var PAY_URL = HOMEPORT + "/checkout/v1/pay";
  var MESSAGE_FROM = "homeport-checkout";
  /* The alert texts of i'mport's own SDK (§7.2), so merchants' support pages stay true. */
  var MISSING_PARAMS = "결제요청 파라메터가 누락되었습니다.";
  var NOT_INITIALISED = "판매자 코드가 설정되지 않았습니다. IMP.init()함수를 먼저 호출하세요.";
  var CLOSED_BY_BUYER = "사용자가 결제를 취소하였습니다.";

  var merchantCode = null;
  var active = null;

  function isMobile() {
    return /Mobi|Android|iPhone|iPad|iPod/i.test(global.navigator.userAgent || "");
  }

  function copy(params) {
    var out = {};
    for (var key in params) {
      if (Object.prototype.hasOwnProperty.call(params, key)) out[key] = params[key];
    }
    return out;
  }

  function hiddenForm(action, target, fields) {
    var form = document.createElement("form");
    form.method = "post";
    form.action = action;
    form.target = target;
    form.acceptCharset = "UTF-8";
    form.style.display = "none";
    for (var name in fields) {
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = name;
      input.value = fields[name];
      form.appendChild(input);
    }
    return form;
  }

  function redirectQuery(rsp) {
    var query = "imp_uid=" + encodeURIComponent(rsp.imp_uid || "") +
      "&merchant_uid=" + encodeURIComponent(rsp.merchant_uid || "") +
      "&imp_success=" + (rsp.success ? "true" : "false");
    if (!rsp.success) {
      query += "&error_code=" + encodeURIComponent(rsp.error_code || "") +
        "&error_msg=" + encodeURIComponent(rsp.error_msg || "");
    }
    return query;
  }

  function finish(rsp) {
    if (!active) return;
    var done = active;
    active = null;
    if (done.overlay.parentNode) done.overlay.parentNode.removeChild(done.overlay);
    document.body.classList.remove("imp-payment-progress");
    if (typeof done.callback === "function") {
      done.callback(rsp);
    } else if (done.redirect) {
      global.location.href = done.redirect + (done.redirect.indexOf("?") >= 0 ? "&" : "?") + redirectQuery(rsp);
    }
  }

  function closedResult() {
    return {
      success: false,
      imp_success: false,
      imp_uid: active ? active.impUid : null,
      merchant_uid: active ? active.merchantUid : null,
      error_code: "F1001",
      error_msg: CLOSED_BY_BUYER
    };
  }

  function openOverlay(fields, params, callback) {
    var name = "imp-frame-" + Date.now();
    var overlay = document.createElement("div");
    overlay.className = "imp-dialog";
    overlay.setAttribute("role", "dialog");
    overlay.setAttribute("aria-modal", "true");
    overlay.setAttribute("aria-label", "결제창");
    overlay.style.cssText =
      "position:fixed;inset:0;z-index:2147482000;background:rgba(0,0,0,.45);" +
      "display:flex;align-items:center;justify-content:center;";
    var frame = document.createElement("iframe");
    frame.name = name;
    frame.className = "imp-frame";
    frame.title = "결제창";
    frame.style.cssText = "width:100%;height:100%;border:0;background:transparent;";
    var close = document.createElement("button");
    close.type = "button";
    close.className = "imp-close";
    close.setAttribute("aria-label", "결제창 닫기");
    close.textContent = "×";
    close.style.cssText =
      "position:absolute;top:8px;right:12px;z-index:1;font-size:28px;line-height:1;" +
      "background:none;border:0;color:#fff;cursor:pointer;";
    close.addEventListener("click", function () { finish(closedResult()); });
    overlay.appendChild(frame);
    overlay.appendChild(close);
    var form = hiddenForm(PAY_URL, name, fields);
    overlay.appendChild(form);
    active = {
      overlay: overlay,
      frame: frame,
      callback: callback,
      redirect: typeof callback === "function" ? null : params.m_redirect_url || null,
      merchantUid: params.merchant_uid,
      impUid: null
    };
    document.body.appendChild(overlay);
    document.body.classList.add("imp-payment-progress");
    form.submit();
  }

  global.addEventListener("message", function (event) {
    if (!active || event.origin !== HOMEPORT || event.source !== active.frame.contentWindow) return;
    var message = event.data;
    try {
      if (typeof message === "string") message = JSON.parse(message);
    } catch (e) {
      return;
    }
    if (!message || message.from !== MESSAGE_FROM) return;
    if (message.type === "opened" && message.imp_uid) {
      active.impUid = message.imp_uid;
    } else if (message.type === "result" && message.response && typeof message.response === "object") {
      finish(message.response);
    }
  });

  var IMP = {
    /* §7.1: the merchant identification code (imp + 8 digits); call once. */
    init: function (code) {
      merchantCode = code;
    },
    /* Agencies pay through their own code; homeport has no tiers, so the code is the merchant's. */
    agency: function (code) {
      merchantCode = code;
    },
    request_pay: function (params, callback) {
      if (!params) {
        global.alert(MISSING_PARAMS);
        return;
      }
      if (!merchantCode) {
        global.alert(NOT_INITIALISED);
        return;
      }
      var order = copy(params);
      if (!order.merchant_uid) order.merchant_uid = "nobody_" + Date.now(); // §7.2's default
      if (!order.pay_method) order.pay_method = "card";
      var mobile = isMobile() || order.popup === false;
      var fields = {
        merchant_code: merchantCode,
        params: JSON.stringify(order),
        device: mobile ? "mobile" : "pc",
        origin: global.location.origin
      };
      if (mobile) {
        var page = hiddenForm(PAY_URL, "_self", fields);
        document.body.appendChild(page);
        page.submit();
        return;
      }
      if (active) finish(closedResult());
      openOverlay(fields, order, callback);
    },
    /* Identity verification is not a KCP payment: homeport answers the failure result. */
    certification: function (params, callback) {
      if (typeof callback === "function") {
        callback({ success: false, imp_uid: null, merchant_uid: params && params.merchant_uid,
          error_code: "F400", error_msg: "homeport는 본인인증(IMP.certification)을 지원하지 않습니다." });
      }
    },
    /* Closes an open payment window; the callback receives the buyer-closed failure. */
    close: function () {
      if (active) finish(closedResult());
    }
  };

  global.IMP = IMP;
})(window);
