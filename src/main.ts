// Entry of the portal page; the site work fills this in.
export {};
