// Dashboard helpers (progressive enhancement: every page works without JavaScript).
document.addEventListener("DOMContentLoaded", () => {
  // <button data-print> prints the page (charts are SVG and print as shown).
  document.querySelectorAll("[data-print]").forEach((button) => {
    button.addEventListener("click", () => window.print());
  });
});
