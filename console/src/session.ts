/**
 * The signed-in rep's token: kept in sessionStorage (this tab only, gone when it closes), sent as a header by
 * api.ts, never put in a URL.
 */
const KEY = "voicedesk.repToken";

export const storedToken = (): string | null => sessionStorage.getItem(KEY);
export const storeToken = (token: string): void => sessionStorage.setItem(KEY, token);
export const forgetToken = (): void => sessionStorage.removeItem(KEY);
