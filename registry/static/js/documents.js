// Issued documents: click a short SHA-256 to copy the full hash (to compare with `sha256sum` of a printed file).
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("code[data-sha256]").forEach((code) => {
    code.setAttribute("role", "button");
    code.setAttribute("tabindex", "0");
    const copy = () => {
      if (!navigator.clipboard) return;
      navigator.clipboard.writeText(code.dataset.sha256).then(() => {
        const short = code.textContent;
        code.textContent = code.dataset.copied || "✓";
        window.setTimeout(() => { code.textContent = short; }, 1200);
      }).catch(() => {});
    };
    code.addEventListener("click", copy);
    code.addEventListener("keydown", (event) => {
      if (event.key === "Enter" || event.key === " ") { event.preventDefault(); copy(); }
    });
  });
});
