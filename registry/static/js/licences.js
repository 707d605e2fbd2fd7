// Licensing pages: show only the parts of the intake form that fit the procedure, add room lines without a round
// trip. Everything works without JavaScript (all parts are then shown and the server ignores the unused ones).
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("application-form");
  if (form) {
    const kind = document.getElementById("kind");
    const type = document.getElementById("licence_type_id");
    let categories = {};
    try { categories = JSON.parse(form.dataset.typeCategories || "{}"); } catch (e) { categories = {}; }
    const update = () => {
      const category = categories[type ? type.value : ""] || "";
      form.querySelectorAll("[data-show-for]").forEach((part) => {
        const kinds = part.dataset.showFor.split(" ");
        const wantedCategory = part.dataset.showCategory;
        const show = kinds.includes(kind.value) && (!wantedCategory || wantedCategory === category);
        part.hidden = !show;
      });
    };
    if (kind) {
      kind.addEventListener("change", update);
      if (type) type.addEventListener("change", update);
      update();
    }
    const addRoom = form.querySelector("[data-add-room]");
    const template = document.getElementById("add-room-template");
    const rows = document.getElementById("add-room-rows");
    if (addRoom && template && rows) {
      addRoom.addEventListener("click", () => {
        const count = rows.querySelectorAll("[data-row]").length;
        if (count >= Number(addRoom.dataset.max || 50)) return;
        const fragment = template.content.cloneNode(true);
        fragment.querySelectorAll("[name], [id], [for]").forEach((el) => {
          ["name", "id", "for"].forEach((attr) => {
            const value = el.getAttribute(attr);
            if (value) el.setAttribute(attr, value.replaceAll("__index__", String(count)));
          });
        });
        rows.appendChild(fragment);
        const inputs = rows.querySelectorAll("[data-row]:last-child input");
        if (inputs.length) inputs[0].focus();
      });
    }
  }
});
