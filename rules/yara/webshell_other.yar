/* webshell_other.yar - JSP, ASP.NET, classic ASP and Python web shells:
 * request input reaching command or code execution. Rules written for comb. */

rule comb_jsp_china_chopper
{
    meta:
        id = "COMB-MW-022"
        family = "china-chopper"
        category = "webshell"
        severity = "critical"
        description = "China Chopper style JSP server: request parameters select and drive file, command and database actions by single letters"
    strings:
        $z0 = /request\s{0,4}\.\s{0,4}getParameter\s{0,4}\(\s{0,4}"z[0-2]"\s{0,4}\)/
        $cmd = /Runtime\s{0,4}\.\s{0,4}getRuntime\s{0,4}\(\s{0,4}\)\s{0,4}\.\s{0,4}exec/
        $files = "listFiles()"
    condition:
        comb_jsp and #z0 >= 2 and $cmd and $files
}

rule comb_jsp_cmd_shell
{
    meta:
        id = "COMB-MW-020"
        family = "jsp-cmd-shell"
        category = "webshell"
        severity = "critical"
        description = "JSP page that runs a command taken from the request (Runtime.exec or ProcessBuilder with request.getParameter)"
    strings:
        $exec_rt = /Runtime\s{0,4}\.\s{0,4}getRuntime\s{0,4}\(\s{0,4}\)\s{0,4}\.\s{0,4}exec\s{0,4}\(/
        $exec_pb = /new\s{1,4}ProcessBuilder\s{0,4}\(/
        $param = /request\s{0,4}\.\s{0,4}(getParameter|getHeader|getInputStream|getReader)\s{0,4}\(/
        $direct = /exec\s{0,4}\(\s{0,4}request\s{0,4}\.\s{0,4}getParameter\s{0,4}\(/
    condition:
        comb_jsp and not comb_jsp_china_chopper and
        ($direct or (($exec_rt or $exec_pb) and $param and filesize < 64KB))
}

rule comb_jsp_classloader_shell
{
    meta:
        id = "COMB-MW-021"
        family = "jsp-classloader-shell"
        category = "webshell"
        severity = "critical"
        description = "JSP page that defines a class from bytes sent in the request, often AES-decrypted (Behinder/Godzilla style)"
    strings:
        $loader = /extends\s{1,4}ClassLoader/
        $define = "defineClass"
        $req = /request\s{0,4}\.\s{0,4}(getReader|getInputStream|getParameter)\s{0,4}\(/
        $aes = /Cipher\s{0,4}\.\s{0,4}getInstance\s{0,4}\(\s{0,4}"AES/
        $b64 = /(Base64|BASE64Decoder)/
    condition:
        comb_jsp and $loader and $define and $req and ($aes or $b64)
}

rule comb_aspx_china_chopper
{
    meta:
        id = "COMB-MW-023"
        family = "china-chopper"
        category = "webshell"
        severity = "critical"
        description = "China Chopper ASPX one-liner: JScript eval of a request item with \"unsafe\""
    strings:
        $eval = /eval\s{0,4}\(\s{0,4}Request(\.Item|\.Form)?\s{0,4}[\[(]\s{0,4}["'][^"']{1,32}["']\s{0,4}[\])]\s{0,4},\s{0,4}["']unsafe["']/ nocase
    condition:
        comb_asp and $eval
}

rule comb_aspx_cmd_shell
{
    meta:
        id = "COMB-MW-024"
        family = "aspx-cmd-shell"
        category = "webshell"
        severity = "critical"
        description = "ASP.NET page that starts cmd.exe or powershell with arguments taken from the request"
    strings:
        $proc = /(Process\s{0,4}\.\s{0,4}Start\s{0,4}\(|new\s{1,4}ProcessStartInfo\s{0,4}\(|\.StartInfo\.FileName)/
        $shell = /(cmd\.exe|cmd"|powershell(\.exe)?")/ nocase
        $req = /Request\s{0,4}(\.\s{0,4}(Form|QueryString|Params|Item)\s{0,4})?\[\s{0,4}"/
        $page = /<%@\s{0,4}Page\s/ nocase
    condition:
        comb_asp and $page and $proc and $shell and $req and filesize < 256KB
}

rule comb_asp_eval_request
{
    meta:
        id = "COMB-MW-025"
        family = "asp-eval-backdoor"
        category = "webshell"
        severity = "critical"
        description = "Classic ASP (VBScript) Execute/Eval of request input"
    strings:
        $exec = /\b(Execute|ExecuteGlobal|Eval)\s{0,4}\(?\s{0,4}Request\s{0,4}(\.\s{0,4}(Form|QueryString|Item)\s{0,4})?\(\s{0,4}"/ nocase
    condition:
        comb_asp and $exec
}

rule comb_python_web_shell
{
    meta:
        id = "COMB-MW-026"
        family = "python-web-shell"
        category = "webshell"
        severity = "critical"
        description = "Python web handler (Flask, Django, http.server, CGI) that runs request input as a command or code"
    strings:
        $direct = /(os\.popen|os\.system|subprocess\.(check_output|run|Popen|call|getoutput|getstatusoutput)|\beval|\bexec)\s{0,4}\(\s{0,4}(request\.(args|form|values|GET|POST)|form\.getvalue|params\.get|query\[|qs\[)/
        $src_flask = /request\.(args|form|values)\s{0,4}(\.get\s{0,4}\(|\[)/
        $src_django = /request\.(GET|POST)\s{0,4}(\.get\s{0,4}\(|\[)/
        $src_cgi = "cgi.FieldStorage("
        $src_qs = /parse_qs\s{0,4}\(\s{0,4}(urlparse\s{0,4}\()?\s{0,4}self\.path/
        $sink_shell = /shell\s{0,2}=\s{0,2}True/
        $subprocess_or_os = /(subprocess\.[a-z_]{3,20}|os\.(popen|system))\s{0,4}\(/
        $sink_popen = /os\.(popen|system)\s{0,4}\(\s{0,4}[a-z_]{1,20}\s{0,4}\)/
    condition:
        filesize < 128KB and
        ($direct or (any of ($src_*) and any of ($sink_*) and $subprocess_or_os and
                     #sink_shell + #sink_popen <= 3))
}
