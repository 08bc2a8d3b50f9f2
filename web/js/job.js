// An appointment's job as the technician works it: notes, photos, and follow-up jobs booked from
// the field. Each appointment's panel is made once and moved into its card whenever the day is
// drawn again, so a note being typed or a photo being sent survives the board's other changes.
import { announce, api, clock, localToday } from "./api.js";

const PHOTO_TYPES = ["image/jpeg", "image/png", "image/webp"];
const MAX_PHOTO_BYTES = 10 * 1024 * 1024;
const MAX_EDGE_PX = 2560; // pictures re-encoded on the phone are scaled down to this

const template = document.getElementById("job-panel");
const panels = new Map();

/** The panel of `appointment`'s job (the same element every time for one appointment). */
export function jobPanel(appointment) {
  let panel = panels.get(appointment.appointment_id);
  if (!panel) {
    panel = build(appointment);
    panels.set(appointment.appointment_id, panel);
  }
  return panel;
}

function build(appointment) {
  const panel = template.content.firstElementChild.cloneNode(true);
  const job = `/dispatch/jobs/${appointment.job_id}`;
  const status = panel.querySelector(".job-status");
  const who = appointment.customer.name;
  const say = (text, isError = false) => announce(status, `${who}: ${text}`, isError);

  const loadNotes = listOpened(panel.querySelector(".notes-box"), `${job}/notes`, "notes", noteItem, say);
  const noteForm = panel.querySelector(".note-form");
  noteForm.addEventListener("submit", (event) =>
    submit(event, async () => {
      const data = new FormData(noteForm);
      const note = { text: data.get("text"), public: data.get("public") === "on" };
      await api("POST", `${job}/notes`, note);
      noteForm.reset();
      say(note.public ? "Public note added." : "Private note added.");
      await loadNotes();
    }, say),
  );

  const loadPhotos = listOpened(panel.querySelector(".photos-box"), `${job}/photos`, "photos", photoItem, say);
  const picker = panel.querySelector('input[name="photo"]');
  const caption = panel.querySelector('input[name="caption"]');
  const bar = panel.querySelector("progress.upload");
  picker.addEventListener("change", async () => {
    const file = picker.files[0];
    if (!file) return;
    picker.disabled = true;
    try {
      say("Sending the photo…");
      await sendPhoto(job, file, caption.value.trim(), bar);
      caption.value = "";
      say("Photo saved.");
      await loadPhotos();
    } catch (error) {
      say(`Photo not saved: ${error.message}`, true);
    } finally {
      picker.value = "";
      picker.disabled = false;
      bar.hidden = true;
    }
  });

  const bookForm = panel.querySelector(".book-form");
  bookForm.elements.preferred_date.min = localToday();
  bookForm.addEventListener("submit", (event) =>
    submit(event, async () => {
      const data = new FormData(bookForm);
      const followUp = {
        job_type: data.get("job_type").trim(),
        summary: data.get("summary").trim(),
        priority: data.get("priority"),
      };
      if (data.get("preferred_date")) followUp.preferred_date = data.get("preferred_date");
      const booked = await api("POST", `/booking/jobs/${appointment.job_id}/follow-ups`, followUp);
      bookForm.reset();
      const when = booked.appointments.length
        ? `on ${new Date(booked.appointments[0].start).toLocaleDateString()}, for the office to assign`
        : "for the office to schedule";
      say(`${booked.job_type} booked ${when}.`);
    }, say),
  );
  return panel;
}

/** Run a form's `action` once at a time (its submit button is disabled meanwhile). */
/** A ``<details>`` whose list (the ``.{key}`` element, from ``GET path``'s ``key``) is read each
 * time it is opened; returns the function that reads it again. */
function listOpened(box, path, key, render, say) {
  const list = box.querySelector(`.${key}`);
  const load = async () => {
    const found = await api("GET", path);
    list.replaceChildren(...found[key].map(render));
  };
  box.addEventListener("toggle", () => box.open && load().catch((e) => say(e.message, true)));
  return load;
}

async function submit(event, action, say) {
  event.preventDefault();
  const button = event.target.querySelector('button[type="submit"]');
  button.disabled = true;
  try {
    await action();
  } catch (error) {
    say(error.message, true);
  } finally {
    button.disabled = false;
  }
}

function noteItem(note) {
  const item = document.createElement("li");
  item.className = note.public ? "note public" : "note";
  const text = document.createElement("p");
  text.textContent = note.text;
  const meta = document.createElement("p");
  meta.className = "meta";
  meta.textContent = `${note.public ? "Public" : "Private"} · ${note.who.id} · ${clock(note.at)}`;
  item.append(text, meta);
  return item;
}

function photoItem(photo) {
  const item = document.createElement("li");
  const link = document.createElement("a");
  link.href = photo.url;
  link.target = "_blank";
  link.rel = "noopener";
  const image = document.createElement("img");
  image.src = photo.url;
  image.alt = photo.caption || `Photo taken at ${clock(photo.at)}`;
  image.loading = "lazy";
  image.width = 96;
  image.height = 96;
  link.append(image);
  item.append(link);
  return item;
}

/** Ask for an upload URL, PUT the picture there (showing progress), then register it. */
async function sendPhoto(job, file, caption, bar) {
  const photo = await uploadable(file);
  const ticket = await api("POST", `${job}/photos/uploads`, { content_type: photo.type, size: photo.size });
  bar.value = 0;
  bar.hidden = false;
  await put(ticket.upload, photo, bar);
  const registered = { photo_id: ticket.photo_id };
  if (caption) registered.caption = caption;
  await api("POST", `${job}/photos`, registered);
}

/** The file as it is when the server keeps it (JPEG, PNG or WebP up to 10 MB); otherwise (HEIC,
 * a huge picture) re-encoded on the phone as a JPEG of at most MAX_EDGE_PX a side. */
async function uploadable(file) {
  if (PHOTO_TYPES.includes(file.type) && file.size <= MAX_PHOTO_BYTES) return file;
  let bitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    throw new Error("this file is not a picture the app can read");
  }
  const scale = Math.min(1, MAX_EDGE_PX / Math.max(bitmap.width, bitmap.height));
  const canvas = document.createElement("canvas");
  canvas.width = Math.round(bitmap.width * scale);
  canvas.height = Math.round(bitmap.height * scale);
  canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", 0.85));
  if (!blob || blob.size > MAX_PHOTO_BYTES) throw new Error("the picture is too large to send");
  return blob;
}

/** PUT to a presigned URL with XMLHttpRequest, the one browser API that reports upload progress. */
function put(upload, blob, bar) {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open(upload.method, upload.url);
    for (const [name, value] of Object.entries(upload.headers)) request.setRequestHeader(name, value);
    request.upload.addEventListener("progress", (event) => {
      if (!event.lengthComputable) return;
      bar.value = Math.round((100 * event.loaded) / event.total);
      bar.textContent = `${bar.value}%`;
    });
    request.addEventListener("load", () =>
      request.status >= 200 && request.status < 300
        ? resolve()
        : reject(new Error(`storage refused it (HTTP ${request.status})`)),
    );
    request.addEventListener("error", () => reject(new Error("no connection to storage")));
    request.send(blob);
  });
}
