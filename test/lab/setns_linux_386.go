package lab

// sysSetns is setns(2) on linux/386, whose frozen syscall package lacks
// SYS_SETNS.
const sysSetns = 346
