// Draws the temperature curve of one day on a <canvas>.
// Readings come from /api/day?date=YYYY-MM-DD as [{at, temperature}, ...].

export async function drawDay(canvas, day) {
  const response = await fetch(`/api/day?date=${encodeURIComponent(day)}`);
  if (!response.ok) {
    throw new Error(`no data for ${day}: HTTP ${response.status}`);
  }
  const readings = await response.json();
  const ctx = canvas.getContext("2d");
  const temps = readings.map((r) => r.temperature);
  const lo = Math.min(...temps);
  const hi = Math.max(...temps);
  // Leave a margin so that a flat day still draws a visible line.
  const span = Math.max(hi - lo, 1);
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  ctx.beginPath();
  readings.forEach((r, i) => {
    const x = (i / Math.max(readings.length - 1, 1)) * canvas.width;
    const y = canvas.height - ((r.temperature - lo) / span) * canvas.height;
    if (i === 0) ctx.moveTo(x, y);
    else ctx.lineTo(x, y);
  });
  ctx.strokeStyle = "#c0392b";
  ctx.stroke();
  return { lo, hi, count: readings.length };
}
