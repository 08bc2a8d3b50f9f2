// The customer's tracking page: the link's token is its only credential (no login).
import { clock, windowText } from "./api.js";

const REFRESH_MS = 15000;
const LINKS = "/tracking/links/";

const headline = document.getElementById("headline");
const detail = document.getElementById("detail");
const facts = document.getElementById("facts");

function linkToken() {
  if (location.pathname.startsWith(LINKS)) return location.pathname.slice(LINKS.length);
  return new URLSearchParams(location.search).get("token") || "";
}

function fact(id, text) {
  const element = document.getElementById(id);
  element.textContent = text;
  element.previousElementSibling.hidden = element.hidden = !text;
}

function show(view) {
  const name = view.technician?.first_name || "Your technician";
  facts.hidden = false;
  fact("window", windowText(view.arrival_window));
  fact("eta", "");
  fact("distance", "");
  if (view.status === "working") {
    headline.textContent = `${name} has arrived`;
    detail.textContent = "The work is under way.";
  } else if (view.status === "paused") {
    headline.textContent = "The work is paused";
    detail.textContent = "Your technician will be back to finish it.";
  } else if (view.on_the_way) {
    headline.textContent = `${name} is on the way`;
    if (view.eta_minutes !== null) {
      const at = new Date(Date.now() + view.eta_minutes * 60000).toISOString();
      detail.textContent = `Arriving in about ${view.eta_minutes} min.`;
      fact("eta", `about ${clock(at)} (${view.eta_minutes} min)`);
    } else {
      detail.textContent = "Heading to your address now.";
    }
    if (view.distance_km !== null) fact("distance", `${view.distance_km} km`);
  } else {
    headline.textContent = "Your appointment is scheduled";
    detail.textContent = "";
  }
}

async function refresh(token) {
  const response = await fetch(`${LINKS}${encodeURIComponent(token)}`, {
    headers: { Accept: "application/json" },
  });
  document.body.dataset.state = String(response.status);
  if (response.status === 410) {
    headline.textContent = "This visit is done";
    detail.textContent = "Thank you! This tracking link has expired.";
    facts.hidden = true;
    return false;
  }
  if (!response.ok) {
    headline.textContent = "Nothing to show yet";
    detail.textContent = "This page shows your technician once they are on the way.";
    facts.hidden = true;
    return true;
  }
  show(await response.json());
  return true;
}

async function follow(token) {
  let again = true;
  try {
    again = await refresh(token);
  } catch {
    detail.textContent = "Cannot reach the server; trying again.";
  }
  if (again) setTimeout(() => follow(token), REFRESH_MS);
}

const token = linkToken();
if (token) {
  follow(token);
} else {
  headline.textContent = "No tracking link";
  detail.textContent = "Open the link from your text message.";
}
