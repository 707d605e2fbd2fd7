// Venue register: add form lines without a round trip, and show the rooms section only for kinds with rooms.
// Everything also works without JavaScript (the "Add" buttons then submit and the server adds the line).
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-add-row]").forEach((button) => {
    button.addEventListener("click", (event) => {
      const template = document.getElementById(button.dataset.template);
      const container = document.getElementById(button.dataset.container);
      if (!template || !container) return; // fall back to the server
      event.preventDefault();
      const indexes = Array.from(container.querySelectorAll("[data-row]"), (row) => Number(row.dataset.index) || 0);
      const next = indexes.length ? Math.max(...indexes) + 1 : 0;
      const fragment = template.content.cloneNode(true);
      fragment.querySelectorAll("[name], [id], [for], [data-index]").forEach((el) => {
        ["name", "id", "for", "data-index"].forEach((attr) => {
          const value = el.getAttribute(attr);
          if (value && value.includes("__index__")) el.setAttribute(attr, value.replaceAll("__index__", String(next)));
        });
      });
      container.appendChild(fragment);
      const rows = container.querySelectorAll("[data-row]");
      const first = rows[rows.length - 1].querySelector("input:not([type=hidden]), select");
      if (first) first.focus();
    });
  });

  const section = document.getElementById("rooms-section");
  const kind = document.getElementById("kind");
  if (section && kind && kind.tagName === "SELECT") {
    const kinds = (section.dataset.roomKinds || "").split(" ");
    const update = () => { section.hidden = kind.value !== "" && !kinds.includes(kind.value); };
    kind.addEventListener("change", update);
    update();
  }
});
