// cluster-key-slot (the CRC16 hash-slot function ioredis itself uses) ships without types.
declare module 'cluster-key-slot' {
  function calculateSlot(key: string | Buffer): number;
  export = calculateSlot;
}
