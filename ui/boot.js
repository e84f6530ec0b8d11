// Starts the Leptos app (a file of its own, so the content security policy needs no inline script).
import init from "/meshdesk_ui.js";
init();
