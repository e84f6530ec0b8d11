// Starts the Leptos app (a file of its own, so the content security policy needs no inline
// script). If the app cannot start (the web view refused its code, or it failed while starting),
// the window says so instead of staying blank.
import init from "/meshdesk_ui.js";

// The theme: "system" (the default) follows the desktop's light or dark preference, live;
// "light" and "dark" are chosen in Settings and remembered. Applied before the app paints.
const THEME_KEY = "meshdesk-theme";
const dark = window.matchMedia ? window.matchMedia("(prefers-color-scheme: dark)") : null;
let chosen = null; // what was chosen in this window, if storage refuses to keep it
const readChoice = () => {
  if (chosen) return chosen;
  try {
    const v = localStorage.getItem(THEME_KEY);
    return v === "light" || v === "dark" ? v : "system";
  } catch (_) {
    return "system";
  }
};
const apply = () => {
  const choice = readChoice();
  const theme = choice === "system" ? (dark && dark.matches ? "dark" : "light") : choice;
  document.documentElement.dataset.theme = theme;
};
window.MeshdeskTheme = {
  choice: readChoice,
  choose(choice) {
    chosen = choice === "light" || choice === "dark" ? choice : "system";
    try {
      if (choice === "light" || choice === "dark") localStorage.setItem(THEME_KEY, choice);
      else localStorage.removeItem(THEME_KEY);
    } catch (_) {
      // Storage refused: the choice holds until the window closes.
    }
    apply();
  },
};
if (dark && dark.addEventListener) dark.addEventListener("change", apply);
apply();

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
