// The landline simulator: a call, one step at a time, as Twilio would make it.
const heard = document.getElementById("heard");
const waiting = document.getElementById("waiting");
const problem = document.getElementById("problem");
const number = document.getElementById("number");
const keys = [...document.querySelectorAll(".key")];
const speak = document.getElementById("speak");
const csrf = document.querySelector('meta[name="csrf-token"]').content;
const url = window.location.pathname;
const WAITING = {
  key: "Press a key.",
  number: "Type the number, then press #.",
  voice: "Leave a voice note, or press # to say nothing.",
  end: "The call has ended.",
};
let call = null;
let typed = "";

// Each spoken sentence is an item of its own, marked with the call's language so a
// screen reader reads it in the right voice.
function show(lines, className, language) {
  for (const line of lines) {
    const item = document.createElement("li");
    item.className = className;
    item.textContent = line;
    if (language) item.lang = language;
    heard.append(item);
  }
  heard.scrollTop = heard.scrollHeight;
}

function expect(answer) {
  call.wait = answer.wait;
  call.query = answer.query;
  call.skipQuery = answer.skip_query || null;
  waiting.textContent = WAITING[answer.wait];
  keys.forEach((key) => { key.disabled = answer.wait === "end"; });
  speak.disabled = answer.wait !== "voice";
}

async function step(body) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
    body: JSON.stringify({ phone: number.value, call: call.id, ...body }),
  });
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(answer.error || `The server answered ${response.status}`);
  problem.textContent = "";
  show(answer.said, "out", answer.language);
  expect(answer);
}

async function safely(action) {
  try { await action(); } catch (error) { problem.textContent = error.message; }
}

document.getElementById("dial").addEventListener("click", () => safely(async () => {
  heard.replaceChildren();
  call = { id: `SIMCALL${crypto.randomUUID().replaceAll("-", "")}`.slice(0, 40) };
  typed = "";
  await step({ query: "" });
}));

keys.forEach((key) => key.addEventListener("click", () => safely(async () => {
  const pressed = key.dataset.key;
  if (call.wait === "voice" && pressed === "#") {
    show(["(you press # without speaking)"], "in");
    await step({ query: call.skipQuery });
  } else if (call.wait === "number" && pressed !== "#") {
    typed += pressed;
    waiting.textContent = `${WAITING.number} So far: ${typed}`;
  } else if (call.wait === "number" || call.wait === "key") {
    const digits = call.wait === "number" ? typed : pressed;
    typed = "";
    show([`(you press ${digits || "#"})`], "in");
    await step({ query: call.query, digits });
  }
})));

speak.addEventListener("click", () => safely(async () => {
  show(["(you leave a voice note)"], "in");
  await step({ query: call.query, voice_note: true });
}));
