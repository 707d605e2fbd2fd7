// Inspection pages: location at the start of a visit (with consent), autosave of the visit form with an offline
// queue in localStorage, and small helpers. Every page also works without JavaScript (plain form submits).
(function () {
  "use strict";

  // ------------------------------------------------------------------ start: optional location
  function setupGeolocation() {
    const form = document.querySelector("form[data-geolocate]");
    if (!form) return;
    const consent = form.querySelector("[data-geolocate-consent]");
    const status = form.querySelector("[data-geolocate-status]");
    let located = false;
    form.addEventListener("submit", (event) => {
      if (located || !consent || !consent.checked || !("geolocation" in navigator)) return;
      event.preventDefault();
      const submitter = event.submitter;
      if (submitter) submitter.disabled = true;
      if (status) { status.textContent = status.dataset.textLocating; status.classList.remove("d-none"); }
      const done = () => { located = true; if (submitter) submitter.disabled = false; form.requestSubmit(submitter || undefined); };
      navigator.geolocation.getCurrentPosition((pos) => {
        form.querySelector("[name=latitude]").value = pos.coords.latitude.toFixed(6);
        form.querySelector("[name=longitude]").value = pos.coords.longitude.toFixed(6);
        form.querySelector("[name=accuracy]").value = Math.round(pos.coords.accuracy || 0);
        done();
      }, () => {
        if (status) status.textContent = status.dataset.textFailed;
        consent.checked = false;
        done();
      }, {enableHighAccuracy: true, timeout: 8000, maximumAge: 60000});
    });
  }

  // ------------------------------------------------------------------ confirmation on single buttons
  function setupConfirmButtons() {
    document.querySelectorAll("[data-confirm-click]").forEach((button) => {
      button.addEventListener("click", (event) => {
        if (!window.confirm(button.dataset.confirmClick)) event.preventDefault();
      });
    });
  }

  // ------------------------------------------------------------------ violation form: range for the chosen row
  function setupViolationForm() {
    const select = document.querySelector("select[name=violation_type_id]");
    if (!select) return;
    const hint = document.getElementById("range-hint");
    const remedy = document.querySelector("textarea[name=remedy]");
    const warning = document.querySelector("input[name=warning]");
    const warningRow = document.querySelector("[data-warning-row]");
    const update = () => {
      const option = select.selectedOptions[0];
      if (!option || !option.dataset.range) { if (hint) hint.textContent = ""; return; }
      if (hint) hint.textContent = option.dataset.range;
      if (remedy && !remedy.dataset.touched && option.dataset.remedy !== undefined) remedy.value = option.dataset.remedy;
      if (warningRow) warningRow.classList.toggle("d-none", option.dataset.warning !== "1");
      if (warning && option.dataset.warning !== "1") warning.checked = false;
    };
    if (remedy) remedy.addEventListener("input", () => { remedy.dataset.touched = "1"; });
    select.addEventListener("change", update);
    update();
  }

  // ------------------------------------------------------------------ the visit form: autosave + offline queue
  function setupAutosave() {
    const form = document.getElementById("visit-form");
    if (!form || !form.dataset.autosaveUrl) return;
    const url = form.dataset.autosaveUrl;
    const storageKey = "inspection-draft:" + form.dataset.inspection;
    const versionInput = form.querySelector("input[name=version_id]");
    const csrfInput = form.querySelector("input[name=csrf_token]");
    const status = document.getElementById("sync-status");
    const conflictBox = document.getElementById("sync-conflict");
    const ignored = new Set(["csrf_token", "version_id", "next", "photo", "item_id", "caption", "keep_location"]);
    let version = parseInt(form.dataset.version, 10);
    let pending = {};
    let inflight = false;
    let blocked = false;  // conflict or locked: wait for the user
    let timer = null;

    function storage() {
      try { return window.localStorage; } catch (e) { return null; }
    }
    function persist() {
      const store = storage();
      if (!store) return;
      try {
        if (Object.keys(pending).length === 0) store.removeItem(storageKey);
        else store.setItem(storageKey, JSON.stringify({base: version, fields: pending, at: Date.now()}));
      } catch (e) { /* storage full or disabled: the server copy is still tried */ }
    }
    function setStatus(state, detail) {
      if (!status) return;
      status.classList.remove("d-none", "text-bg-light", "text-bg-success", "text-bg-warning", "text-bg-danger", "text-bg-info");
      const css = {saved: "text-bg-success", saving: "text-bg-info", offline: "text-bg-warning", error: "text-bg-danger",
                   conflict: "text-bg-danger", locked: "text-bg-danger"}[state] || "text-bg-light";
      status.classList.add(css);
      status.dataset.state = state;
      status.textContent = status.dataset["text" + state.charAt(0).toUpperCase() + state.slice(1)] + (detail ? " " + detail : "");
    }
    function tracked(el) {
      return el && el.name && !ignored.has(el.name) && el.type !== "submit" && el.type !== "file" && el.type !== "hidden";
    }
    function valueOf(el) {
      if (el.type === "checkbox") return el.checked ? "y" : "";
      if (el.type === "radio") {
        const checked = form.querySelector("input[type=radio][name='" + CSS.escape(el.name) + "']:checked");
        return checked ? checked.value : "";
      }
      return el.value;
    }
    function currentValue(name) {
      const els = form.querySelectorAll("[name='" + CSS.escape(name) + "']");
      return els.length ? valueOf(els[0]) : undefined;
    }
    function applyValue(name, value) {
      const els = form.querySelectorAll("[name='" + CSS.escape(name) + "']");
      els.forEach((el) => {
        if (el.type === "radio") el.checked = el.value === value;
        else if (el.type === "checkbox") el.checked = value === "y" || value === "1" || value === "on";
        else el.value = value;
      });
      if (els.length) reflect(els[0]);
    }
    function reflect(el) {
      // show "record a violation" when an item is marked as failed
      const card = el.closest("[data-item]");
      if (!card || el.type !== "radio") return;
      const failed = valueOf(el) === "fail";
      card.classList.toggle("is-failed", failed);
      const button = card.querySelector("[data-violation-button]");
      if (button) button.classList.toggle("d-none", !failed);
    }
    function updateProgress() {
      const counter = document.querySelector("[data-progress]");
      if (!counter) return;
      const answered = new Set(Array.from(form.querySelectorAll("input[type=radio][name^='item-']:checked"))
        .map((el) => el.name)).size;
      counter.textContent = answered + "/" + counter.dataset.total;
    }
    function clearErrors(names) {
      names.forEach((name) => {
        form.querySelectorAll("[data-js-error='" + CSS.escape(name) + "']").forEach((n) => n.remove());
        form.querySelectorAll("[name='" + CSS.escape(name) + "']").forEach((el) => el.classList.remove("is-invalid"));
      });
    }
    function showErrors(errors) {
      Object.entries(errors || {}).forEach(([name, message]) => {
        clearErrors([name]);
        const els = form.querySelectorAll("[name='" + CSS.escape(name) + "']");
        if (!els.length) return;
        const last = els[els.length - 1];
        const anchor = last.type === "radio" ? last.closest(".result-group") : last;
        if (last.type !== "radio") last.classList.add("is-invalid");
        const div = document.createElement("div");
        div.className = "invalid-feedback d-block";
        div.dataset.jsError = name;
        div.textContent = message;
        anchor.insertAdjacentElement("afterend", div);
      });
    }
    function showConflict(message) {
      blocked = true;
      setStatus("conflict");
      if (!conflictBox) return;
      const text = conflictBox.querySelector("[data-conflict-message]");
      if (text) text.textContent = message || text.dataset.textRestore;
      conflictBox.classList.remove("d-none");
    }
    function schedule(delay) {
      clearTimeout(timer);
      timer = setTimeout(send, delay);
    }

    async function send() {
      if (inflight || blocked) return;
      const names = Object.keys(pending);
      if (!names.length) { setStatus("saved"); return; }
      if (!navigator.onLine) { setStatus("offline"); return; }
      const fields = Object.assign({}, pending);
      inflight = true;
      setStatus("saving");
      let response;
      let data = {};
      try {
        response = await fetch(url, {
          method: "POST", credentials: "same-origin",
          headers: {"Content-Type": "application/json", "Accept": "application/json",
                    "X-CSRFToken": csrfInput ? csrfInput.value : ""},
          body: JSON.stringify({version: version, fields: fields}),
        });
        data = await response.json().catch(() => ({}));
      } catch (e) {
        inflight = false;
        setStatus("offline");
        return;
      }
      inflight = false;
      if (response.ok) {
        version = data.version;
        if (versionInput) versionInput.value = String(version);
        form.dataset.version = String(version);
        Object.entries(fields).forEach(([name, value]) => { if (pending[name] === value) delete pending[name]; });
        persist();
        clearErrors(Object.keys(fields));
        if (Object.keys(pending).length) { schedule(0); return; }
        const at = data.saved_at ? new Date(data.saved_at) : new Date();
        setStatus("saved", at.toLocaleTimeString([], {hour: "2-digit", minute: "2-digit"}));
      } else if (response.status === 409) {
        if (typeof data.version === "number") form.dataset.serverVersion = String(data.version);
        showConflict(data.message);
      } else if (response.status === 422) {
        showErrors(data.errors);
        setStatus("error");
      } else if (response.status === 423 || response.status === 403 || response.status === 404) {
        blocked = true;
        setStatus("locked");
      } else {
        setStatus("offline");  // server trouble (5xx, proxy): keep the queue and retry
      }
    }

    function onChange(event) {
      const el = event.target;
      if (!tracked(el)) return;
      pending[el.name] = valueOf(el);
      reflect(el);
      if (el.type === "radio") updateProgress();
      persist();
      if (blocked) return;
      setStatus(navigator.onLine ? "saving" : "offline");
      schedule(event.type === "change" ? 300 : 900);
    }
    form.addEventListener("input", onChange);
    form.addEventListener("change", onChange);
    form.addEventListener("submit", () => { clearTimeout(timer); });
    window.addEventListener("online", () => { if (!blocked) send(); });
    window.addEventListener("offline", () => { if (Object.keys(pending).length) setStatus("offline"); });
    setInterval(() => { if (!blocked && !inflight && Object.keys(pending).length) send(); }, 15000);

    if (conflictBox) {
      conflictBox.querySelector("[data-conflict-keep]").addEventListener("click", () => {
        if (form.dataset.serverVersion) version = parseInt(form.dataset.serverVersion, 10);
        blocked = false;
        conflictBox.classList.add("d-none");
        send();
      });
      conflictBox.querySelector("[data-conflict-discard]").addEventListener("click", () => {
        pending = {};
        persist();
        window.location.reload();
      });
    }

    // On (re)opening: restore anything typed here that the server has not acknowledged, and send it.
    let saved = null;
    try { saved = JSON.parse((storage() && storage().getItem(storageKey)) || "null"); } catch (e) { saved = null; }
    if (saved && saved.fields && typeof saved.fields === "object") {
      Object.entries(saved.fields).forEach(([name, value]) => {
        const current = currentValue(name);
        if (current === undefined || current === value) return;  // unknown field, or already on the server
        pending[name] = value;
        applyValue(name, value);
      });
      persist();
      if (Object.keys(pending).length) {
        if (saved.base === version) send();
        else { form.dataset.serverVersion = String(version); showConflict(null); }
      } else {
        setStatus("saved");
      }
    } else {
      setStatus("saved");
    }
    form.querySelectorAll("input[type=radio]:checked").forEach(reflect);
    updateProgress();
  }

  document.addEventListener("DOMContentLoaded", () => {
    setupGeolocation();
    setupConfirmButtons();
    setupViolationForm();
    setupAutosave();
  });
})();
