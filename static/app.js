// teampanel: small progressive enhancements. Every page works without this file.
"use strict";

// Destructive forms: the submit button stays disabled until the resource's name is typed.
function wireConfirmations(root) {
  root.querySelectorAll("input[data-confirm-name]").forEach((input) => {
    const form = input.form;
    if (!form) return;
    const button = form.querySelector("button[type=submit]");
    const update = () => { if (button) button.disabled = input.value !== input.dataset.confirmName; };
    input.addEventListener("input", update);
    update();
  });
}

// Says `text` through the page's live region, for screen readers.
function announce(text) {
  const region = document.getElementById("announcer");
  if (!region || !text) return;
  region.textContent = "";
  // A fresh text node after a tick is announced even when the words repeat.
  setTimeout(() => { region.textContent = text; }, 50);
}

// What a refreshed element is called, for the announcement.
function subjectOf(el) {
  const named = el.querySelector("[data-name], .server-name");
  if (named) return named.dataset.name || named.textContent.trim();
  const heading = document.querySelector("main h1");
  return heading ? heading.textContent.trim() : "";
}

// True when a form field differs from what the page was served with.
function hasUnsavedInput() {
  return [...document.querySelectorAll("input, textarea, select")].some((field) => {
    if (field.type === "hidden") return false;
    if (field.type === "checkbox" || field.type === "radio") return field.checked !== field.defaultChecked;
    if (field.tagName === "SELECT") {
      // With no option marked selected, the browser shows the first one.
      const initial = [...field.options].findIndex((o) => o.defaultSelected);
      return field.selectedIndex !== Math.max(initial, 0);
    }
    return field.value !== field.defaultValue;
  });
}

// Elements in a transitional state refresh themselves: soon after the change,
// then at least every 10 s, and they stop once the panel answers a steady one.
const FIRST_REFRESH_MS = 1000;
const MAX_REFRESH_MS = 10000;
const RELOAD_AFTER_DONE_MS = 2500;

function wireRefresh(root) {
  root.querySelectorAll("[data-refresh-url]").forEach((el) => {
    if (el.dataset.refreshWired) return;
    el.dataset.refreshWired = "1";
    let delay = Number(el.dataset.refreshAfter || FIRST_REFRESH_MS);
    const next = () => Math.min(Math.round(delay * 1.6), MAX_REFRESH_MS);
    const tick = async () => {
      try {
        const response = await fetch(el.dataset.refreshUrl, { headers: { "Accept": "text/html" }, credentials: "same-origin" });
        // Only the panel's fragments are swapped in: never a whole page such as
        // the sign-in page after the session ended.
        if (response.ok && response.headers.get("X-Fragment") === "1") {
          const html = await response.text();
          const template = document.createElement("template");
          template.innerHTML = html.trim();
          const fresh = template.content.firstElementChild;
          if (fresh) {
            if (fresh.dataset.refreshUrl) fresh.dataset.refreshAfter = String(next());
            const before = el.dataset.state;
            el.replaceWith(fresh);
            if (fresh.dataset.state && fresh.dataset.state !== before) {
              const badge = fresh.querySelector(".badge");
              announce(`${subjectOf(fresh)}: ${badge ? badge.textContent.trim() : fresh.dataset.state}`);
            }
            // The work is done: a page whose actions waited for it loads
            // again to offer them, unless the user has typed something.
            // The pause lets the announcement of the new state be heard first.
            if (!fresh.dataset.refreshUrl && document.getElementById("busy-reason")) {
              setTimeout(() => { if (!hasUnsavedInput()) window.location.reload(); }, RELOAD_AFTER_DONE_MS);
            }
            wireConfirmations(fresh.parentNode || document);
            wireRefresh(fresh.parentNode || document);
            return;
          }
        }
      } catch (_) { /* network hiccup: try again later */ }
      delay = next();
      setTimeout(tick, delay);
    };
    setTimeout(tick, delay);
  });
}

// "Retry in N s" notices count down; the retry link is there from the start.
function wireCountdowns(root) {
  root.querySelectorAll("[data-countdown]").forEach((el) => {
    let left = Number(el.dataset.countdown);
    if (!Number.isFinite(left) || left <= 0) return;
    const timer = setInterval(() => {
      left -= 1;
      if (left <= 0) {
        clearInterval(timer);
        el.textContent = "now";
        // A page waiting for the budget loads itself again; elsewhere the
        // member decides.
        if (el.closest("[data-fill-in]") && !hasUnsavedInput()) {
          window.location.reload();
          return;
        }
        announce("You can retry now.");
      } else {
        el.textContent = `in ${left} s`;
      }
    }, 1000);
  });
}

// A form that came back with errors: focus its summary, so the user hears
// what to fix and can tab on to the fields.
function focusErrorSummary() {
  const summary = document.getElementById("error-summary");
  if (summary) summary.focus();
}

document.addEventListener("DOMContentLoaded", () => {
  wireConfirmations(document);
  wireRefresh(document);
  wireCountdowns(document);
  focusErrorSummary();
});
