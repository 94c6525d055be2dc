// Test infrastructure: types for ca.mjs, so TypeScript callers (the emulator) can import it.
export declare const certDir: string;
export declare const certFile: string;
export declare const keyFile: string;
export declare function ensureCertificate(): Promise<{ certFile: string; keyFile: string }>;
