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

// Long jobs: follow their progress and reload the page when they finish.
document.addEventListener("DOMContentLoaded", () => {
  const box = document.querySelector("[data-progress-url]");
  if (!box) return;
  const bar = box.querySelector("progress");
  const text = box.querySelector("[data-progress-text]");
  const poll = async () => {
    try {
      const response = await fetch(box.dataset.progressUrl, { headers: { Accept: "application/json" } });
      const state = await response.json();
      if (!state.busy) { window.location.reload(); return; }
      bar.value = state.percent;
      text.textContent = state.message;
      // Figures elsewhere on the page (counts per state) follow too.
      Object.entries(state.counts || {}).forEach(([name, count]) => {
        document.querySelectorAll(`[data-count="${name}"]`).forEach((cell) => {
          (cell.querySelector(".count") || cell).textContent = count;
        });
      });
    } catch (error) {
      // A missed poll is harmless; the next one catches up.
    }
    window.setTimeout(poll, 1000);
  };
  window.setTimeout(poll, 1000);
});

// Survey builder. Forms marked data-confirm ask before they submit (removing a question,
// closing a survey); without script they submit directly. The option rows of the question form
// only matter for choice questions, so they are hidden while another type is selected.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
  }
});
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-options-for]").forEach((group) => {
    const select = document.getElementById(group.dataset.optionsFor);
    if (!select) return;
    const sync = () => {
      group.hidden = !["single_choice", "multiple_choice"].includes(select.value);
    };
    sync();
    select.addEventListener("change", sync);
  });
});
