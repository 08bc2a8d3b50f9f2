// Dev login: pick a seeded user, get a token from the local issuer, keep it for this tab.
import { announce, signIn } from "./api.js";

const OFFICE_ROLES = new Set(["admin", "dispatcher", "both"]);
const form = document.getElementById("login");
const select = document.getElementById("user");
const message = document.getElementById("message");

function destination(user) {
  const next = new URLSearchParams(location.search).get("next");
  if (next && next.startsWith("/web/")) return next;
  return OFFICE_ROLES.has(user.role) ? "/web/board.html" : "/web/tech.html";
}

async function loadUsers() {
  const response = await fetch("/auth/users");
  const { users } = await response.json();
  for (const user of users) {
    const option = new Option(`${user.name} (${user.role}, ${user.username})`, user.username);
    option.dataset.user = JSON.stringify(user);
    select.add(option);
  }
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const option = select.selectedOptions[0];
  const user = JSON.parse(option.dataset.user);
  const response = await fetch(`/auth/dev-token?user=${encodeURIComponent(user.username)}`);
  const body = await response.json();
  if (!response.ok) {
    announce(message, body.detail, true);
    return;
  }
  signIn(body.access_token, user);
  location.assign(destination(user));
});

loadUsers().catch((error) => announce(message, `Cannot list users: ${error.message}`, true));
