// The USWDS behaviours ship as CommonJS without types; these are the members used.
declare module '@uswds/uswds/js/*' {
  const behavior: { on(root?: HTMLElement): void; off(root?: HTMLElement): void };
  export default behavior;
}
