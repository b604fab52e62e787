/** Input that counts as activity at the counter (screen lock after 1分間 without input, T:593). */
const ACTIVITY = ['keydown', 'pointerdown', 'mousemove', 'wheel', 'touchstart'] as const;

/**
 * Calls `onIdle` once after `seconds` without keyboard or pointer input (Tsukuba's 1-minute screen lock,
 * configurable). Returns the stop function.
 */
export function watchIdle(
  seconds: number,
  onIdle: () => void,
  target: EventTarget = window,
): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const arm = () => {
    if (timer !== undefined) {
      clearTimeout(timer);
    }
    timer = setTimeout(onIdle, seconds * 1000);
  };
  for (const name of ACTIVITY) {
    target.addEventListener(name, arm, { passive: true });
  }
  arm();
  return () => {
    if (timer !== undefined) {
      clearTimeout(timer);
    }
    for (const name of ACTIVITY) {
      target.removeEventListener(name, arm);
    }
  };
}
