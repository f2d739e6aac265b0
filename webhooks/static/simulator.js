// The simulator page: send as a tenant, show the thread, poll for notices sent later.
const screen = document.getElementById("screen");
const number = document.getElementById("number");
const problem = document.getElementById("problem");
const csrf = document.querySelector('meta[name="csrf-token"]').content;
const base = window.location.pathname.replace(/\/$/, "");

function show(messages) {
  screen.replaceChildren(...messages.map((m) => {
    const item = document.createElement("li");
    item.className = m.direction;
    item.textContent = m.text;
    if (m.direction === "out") {
      const meta = document.createElement("small");
      meta.textContent = `${m.segments} SMS (${m.encoding})`;
      item.append(meta);
    }
    return item;
  }));
  screen.scrollTop = screen.scrollHeight;
}

async function call(url, options) {
  const response = await fetch(url, options);
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(body.error || `The server answered ${response.status}`);
  problem.textContent = "";
  return body.messages;
}

async function refresh() {
  try {
    show(await call(`${base}/thread?phone=${encodeURIComponent(number.value)}`));
  } catch (error) { problem.textContent = error.message; }
}

document.getElementById("compose").addEventListener("submit", async (event) => {
  event.preventDefault();
  const text = document.getElementById("text");
  try {
    show(await call(`${base}/send`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify({ phone: number.value, text: text.value }),
    }));
    text.value = "";
  } catch (error) { problem.textContent = error.message; }
});
number.addEventListener("change", refresh);
refresh();
setInterval(refresh, 3000);
