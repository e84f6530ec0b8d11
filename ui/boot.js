// Starts the Leptos app (a file of its own, so the content security policy needs no inline
// script). If the app cannot start (the web view refused its code, or it failed while starting),
// the window says so instead of staying blank.
import init from "/meshdesk_ui.js";
const failed = (what, e) => {
  const p = document.createElement("p");
  p.id = "start-failure";
  p.style.cssText = "margin:40px;font:15px system-ui,sans-serif;color:#b42318";
  p.textContent = `Meshdesk could not start: ${what}: ${e && e.message ? e.message : e}`;
  document.body.replaceChildren(p);
};
window.addEventListener("error", (ev) => {
  if (!document.querySelector(".shell")) failed("an error while starting", ev.error || ev.message);
});
init().catch((e) => failed("the window's code did not load", e));
