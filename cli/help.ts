/**
 * The text of `wsconnect --help`. docs/cli.md says the same at greater length;
 * keep the two in step.
 * @module
 */
import { DEFAULT_ATTEMPT_DELAY_MS, WSK_DEFAULT_TIMEOUT_MS, WSK_TIMEOUT_MAX_MS, WSK_TIMEOUT_MIN_MS } from 'winsock-connect';
import { DEFAULT_DRIVER_NAME, DEFAULT_INTERVAL_MS, MAX_COUNT } from './args';
import { ExitCode } from './output';
import { DEFAULT_REPLY_WAIT_MS } from './reply';

export function helpText(): string {
  return `Usage:
  wsconnect [options] <host> <port|service>       connectByName (WSAConnectByNameW)
  wsconnect [options] --list <addr:port,...>      connectByList (WSAConnectByList or a WSAConnect race)
  wsconnect [options] --wsa <address> <port>      wsaConnect (WSAConnect)
  wsconnect [options] --wsk <address> <port>      kernel WskConnect through the WSK driver

Connects once, prints the local and remote address, closes the socket and exits.
IPv6 with a port is written in brackets: [::1]:80.

Options:
  --timeout <ms>           deadline for the connect (default: none, the OS decides;
                           --wsk: ${WSK_TIMEOUT_MIN_MS}-${WSK_TIMEOUT_MAX_MS}, default ${WSK_DEFAULT_TIMEOUT_MS})
  --family dual|ipv4|ipv6  connectByName's socket (default dual: IPv6 with IPV6_V6ONLY off)
  --list <a:p,b:p,...>     1-64 IP literals with ports, in order of preference
  --strategy auto|system|race
                           --list: WSAConnectByList (system), our WSAConnect race (race),
                           or system where ws2_32 has it, else race (auto, default)
  --attempt-delay <ms>     --list race: ms between starting attempts (default ${DEFAULT_ATTEMPT_DELAY_MS})
  --wsa                    use WSAConnect
  --local <addr[:port]>    --wsa: bind to this local address (and port) first
  --udp                    --wsa: a UDP socket (WSAConnect sets its default destination)
  --wsk                    connect from the kernel through the WskConnect driver, which
                           must be loaded (sc create/sc start), or:
  --install-driver <sys>   --wsk: install and start this wskconnect.sys for the run, then
                           stop and remove it (needs elevation and a test-signed driver)
  --driver-name <name>     --wsk: the driver's service name (default ${DEFAULT_DRIVER_NAME})
  --send <text>            after connecting, send <text> and report the first reply
                           (waits up to --timeout ms, default ${DEFAULT_REPLY_WAIT_MS})
  --wait <ms>              retry until connected or <ms> have passed, one line per attempt;
                           exit 0 once connected, 3 at the deadline (the "wait until the
                           service is up" step of a CI job)
  --count <n>              connect n times (1-${MAX_COUNT}), print each latency, then min, median,
                           p90, p99, max, failures and a histogram; exit 0 if all connected
  --interval <ms>          --wait/--count: ms between attempts (default ${DEFAULT_INTERVAL_MS})
  --json                   one JSON object per line on stdout: an "attempt" line per address
                           tried (--list), then one "result" line (fields: docs/cli.md)
  -h, --help               this text
  -v, --version            the version

Exit codes:
  ${ExitCode.connected}    connected
  ${ExitCode.connectFailed}    connect failed (refused, unreachable, host not found, ...),
       or the --send exchange failed (closed without a reply, socket error)
  ${ExitCode.usage}    usage error: bad arguments (nothing was connected)
  ${ExitCode.timedOut}    timed out (WSAETIMEDOUT, STATUS_IO_TIMEOUT), or no --send reply in time
  ${ExitCode.unsupported}    unsupported: not Windows, or this ws2_32 lacks the function
       (ERR_WINSOCK_UNSUPPORTED_PLATFORM, ERR_WINSOCK_FUNCTION_UNAVAILABLE, ...)
  ${ExitCode.driverUnavailable}    --wsk: the driver is not loaded or could not be installed or started
  ${ExitCode.internal}   internal error (a bug)
  ${ExitCode.interrupted}  interrupted (Ctrl+C)

Examples:
  wsconnect localhost 8080 --family ipv4
  wsconnect example.test http --timeout 3000
  wsconnect --list [::1]:8080,127.0.0.1:8080 --strategy race --json
  wsconnect --wsa 127.0.0.1 5353 --udp --send ping
  wsconnect localhost 5432 --wait 60000 --interval 500
  wsconnect --wsa 127.0.0.1 8080 --count 100 --interval 0 --json
`;
}
