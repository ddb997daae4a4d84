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

// Rows in a transitional state refresh themselves: only those rows, with backoff,
// and they stop once the server answers a steady row.
function wireRefresh(root) {
  root.querySelectorAll("[data-refresh-url]").forEach((el) => {
    if (el.dataset.refreshWired) return;
    el.dataset.refreshWired = "1";
    let delay = Number(el.dataset.refreshAfter || 2000);
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
            // Keep backing off while the work goes on.
            if (fresh.dataset.refreshUrl) fresh.dataset.refreshAfter = String(Math.min(delay * 1.5, 30000));
            el.replaceWith(fresh);
            wireConfirmations(fresh.parentNode || document);
            wireRefresh(fresh.parentNode || document);
            return;
          }
        }
      } catch (_) { /* network hiccup: try again later */ }
      delay = Math.min(delay * 1.5, 30000);
      setTimeout(tick, delay);
    };
    setTimeout(tick, delay);
  });
}

document.addEventListener("DOMContentLoaded", () => {
  wireConfirmations(document);
  wireRefresh(document);
});
