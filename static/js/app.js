// Progressive enhancement only: every page works without this file.
document.documentElement.classList.add("js");
document.addEventListener("DOMContentLoaded", () => {
  // After a refused form, put the keyboard and screen reader on the first field to correct.
  const invalid = document.querySelector("[aria-invalid='true']");
  if (invalid) invalid.focus();
  const toggle = document.querySelector("[data-nav-toggle]");
  const nav = document.getElementById("site-nav");
  if (!toggle || !nav) return;
  const narrow = window.matchMedia("(max-width: 47.99rem)");
  const collapse = (collapsed) => {
    nav.dataset.collapsed = String(collapsed && narrow.matches);
    toggle.setAttribute("aria-expanded", String(!collapsed));
  };
  collapse(true);
  toggle.addEventListener("click", () => collapse(toggle.getAttribute("aria-expanded") === "true"));
  narrow.addEventListener("change", () => collapse(true));
});
