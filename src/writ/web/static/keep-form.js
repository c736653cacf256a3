// A form that needs a stronger sign-in (an override) is answered with the step-up page; the
// person signs in again at the provider and comes back to the page the form was on. This puts
// back what they had typed, so an override's reason is not lost on the way.
//
// - Only forms marked data-keep-on-step-up are kept, in this tab's sessionStorage (never sent
//   anywhere, gone when the tab closes), and only their visible fields: hidden fields identify
//   the form (which attempt, which rule) and the CSRF token is never kept.
// - The step-up page marks what was kept as waiting; without that mark nothing is put back.
// - It is put back once, on the page the form was sent from, within 15 minutes, into the form
//   with the same action and hidden fields; then it is forgotten. Nothing is sent again: the
//   person reads it over and sends it.
(function () {
  "use strict";
  var KEY = "writ-kept-form";
  var LIFETIME_MS = 15 * 60 * 1000;
  var SKIPPED = { hidden: 1, password: 1, file: 1, submit: 1, button: 1, reset: 1 };

  function here() {
    return location.pathname + location.search;
  }

  function identity(form) {
    var found = [];
    Array.prototype.forEach.call(form.elements, function (el) {
      if (el.type === "hidden" && el.name && el.name !== "csrf") found.push([el.name, el.value]);
    });
    return JSON.stringify([form.getAttribute("action") || "", found]);
  }

  function read() {
    try {
      var kept = JSON.parse(sessionStorage.getItem(KEY) || "null");
      return kept && Date.now() - kept.at < LIFETIME_MS ? kept : null;
    } catch (e) {
      return null;
    }
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-keep-on-step-up")) return;
    var fields = [];
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || SKIPPED[el.type]) return;
      var checkable = el.type === "checkbox" || el.type === "radio";
      fields.push([el.name, el.value, checkable ? el.checked : null]);
    });
    var kept = { page: here(), form: identity(form), fields: fields, at: Date.now(), waiting: false };
    sessionStorage.setItem(KEY, JSON.stringify(kept));
  });

  document.addEventListener("DOMContentLoaded", function () {
    var kept = read();
    if (document.querySelector("[data-step-up-waiting]")) {
      if (kept) {
        kept.waiting = true;
        sessionStorage.setItem(KEY, JSON.stringify(kept));
      }
      return;
    }
    if (!kept || !kept.waiting || kept.page !== here()) return;
    var form = Array.prototype.filter.call(document.forms, function (f) {
      return f.hasAttribute("data-keep-on-step-up") && identity(f) === kept.form;
    })[0];
    sessionStorage.removeItem(KEY);
    if (!form) return;
    kept.fields.forEach(function (field) {
      Array.prototype.forEach.call(form.elements, function (el) {
        if (el.name !== field[0] || SKIPPED[el.type]) return;
        if (field[2] === null) el.value = field[1];
        else if (el.value === field[1]) el.checked = field[2];
      });
    });
    var note = document.createElement("div");
    note.className = "usa-alert usa-alert--info usa-alert--slim margin-bottom-1";
    note.setAttribute("role", "status");
    note.setAttribute("data-testid", "kept-form");
    note.innerHTML = '<div class="usa-alert__body"><p class="usa-alert__text"></p></div>';
    note.querySelector("p").textContent =
      "What you typed was kept while you signed in again. Read it over and send it again.";
    form.parentNode.insertBefore(note, form);
    var first = form.querySelector("textarea, input:not([type=hidden]), select");
    if (first) first.focus();
  });
})();
