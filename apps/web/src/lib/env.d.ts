declare module 'virtual:unit-initials' {
  const map: Record<string, string>;
  export default map;
}
