/* webshell_php.yar - PHP webshells: request input that reaches code
 * execution, directly or through a decoding chain, and the markers of
 * file-manager shells. Rules written for comb. */

rule comb_php_china_chopper
{
    meta:
        id = "COMB-MW-001"
        family = "china-chopper"
        category = "webshell"
        severity = "critical"
        description = "China Chopper style PHP one-liner: eval or assert of a POST/GET/REQUEST parameter in a tiny file"
    strings:
        $one = /@?(eval|assert)\s{0,4}\(\s{0,4}@?\s{0,4}\$_(POST|GET|REQUEST)\s{0,4}\[\s{0,4}['"]?[A-Za-z0-9_\-]{1,32}['"]?\s{0,4}\]\s{0,4}\)/ nocase
    condition:
        comb_php and filesize < 2KB and $one
}

rule comb_php_eval_request
{
    meta:
        id = "COMB-MW-002"
        family = "php-eval-backdoor"
        category = "webshell"
        severity = "critical"
        description = "PHP code or command execution (eval, assert, system, exec, passthru, popen, ...) directly on request input"
    strings:
        $direct = /\b(eval|assert|system|passthru|shell_exec|exec|popen|proc_open|pcntl_exec)\s{0,4}\(\s{0,4}@?\s{0,4}(stripslashes\s{0,4}\(\s{0,4}|trim\s{0,4}\(\s{0,4})?\$_(GET|POST|REQUEST|COOKIE|SERVER\s{0,4}\[\s{0,4}['"]HTTP_)/ nocase
        $backtick = /(=|\becho|\bprint|\breturn)\s{0,4}`\s{0,4}\$_(GET|POST|REQUEST|COOKIE)\s{0,4}\[\s{0,2}['"]?[A-Za-z0-9_\-]{1,32}['"]?\s{0,2}\]\s{0,4}`/
    condition:
        comb_php and ($direct or $backtick) and not comb_php_china_chopper
}

rule comb_php_request_callable
{
    meta:
        id = "COMB-MW-003"
        family = "php-eval-backdoor"
        category = "webshell"
        severity = "critical"
        description = "PHP calls a function whose name comes from the request (e.g. $_GET['f']($_GET['c']))"
    strings:
        $call = /\$_(GET|POST|REQUEST|COOKIE)\s{0,4}\[\s{0,2}['"]?[A-Za-z0-9_\-]{1,32}['"]?\s{0,2}\]\s{0,4}\(\s{0,4}@?\$_(GET|POST|REQUEST|COOKIE)/
        $cufa = /call_user_func(_array)?\s{0,4}\(\s{0,4}\$_(GET|POST|REQUEST|COOKIE)/ nocase
    condition:
        comb_php and any of them
}

rule comb_php_obfuscated_eval
{
    meta:
        id = "COMB-MW-004"
        family = "php-obfuscated-eval"
        category = "webshell"
        severity = "high"
        description = "PHP eval/assert of decoded data (base64_decode, gzinflate, gzuncompress, str_rot13, ...), the packing of most PHP backdoors"
    strings:
        $chain = /\b(eval|assert)\s{0,4}\(\s{0,4}@?\s{0,4}(gzinflate|gzuncompress|gzdecode|str_rot13|base64_decode|convert_uudecode|strrev|hex2bin)\s{0,4}\(/ nocase
        $decode_to_var = /\$[A-Za-z_][A-Za-z0-9_]{0,20}\s{0,4}=\s{0,4}@?(gzinflate|gzuncompress|gzdecode|str_rot13|strrev|base64_decode)\s{0,4}\(\s{0,4}@?(base64_decode|str_rot13|gzinflate|gzuncompress|strrev)\s{0,4}\(/ nocase
        $eval_var = /\b(eval|assert)\s{0,4}\(\s{0,4}@?\$[A-Za-z_][A-Za-z0-9_]{0,20}\s{0,4}\)/ nocase
    condition:
        comb_php and ($chain or ($decode_to_var and $eval_var))
}

rule comb_php_preg_replace_eval
{
    meta:
        id = "COMB-MW-005"
        family = "php-preg-replace-e"
        category = "webshell"
        severity = "high"
        description = "PHP preg_replace with the /e modifier (evaluates the replacement) in a file that reads request input"
    strings:
        $pe = /preg_replace\s{0,4}\(\s{0,4}["'][\/#@~!|%][^"'\n]{0,200}[\/#@~!|%][imsxuADSUX]{0,6}e[imsxuADSUX]{0,6}["']\s{0,4},/
        $input = /\$_(GET|POST|REQUEST|COOKIE|SERVER)\b/
    condition:
        comb_php and $pe and $input
}

rule comb_php_create_function_input
{
    meta:
        id = "COMB-MW-006"
        family = "php-create-function"
        category = "webshell"
        severity = "high"
        description = "PHP create_function built from request input or decoded data"
    strings:
        $req = /create_function\s{0,4}\(\s{0,4}(['"][^'"\n;]{0,60}['"]|\$[A-Za-z_][A-Za-z0-9_]{0,20})\s{0,4},\s{0,4}@?\s{0,4}(stripslashes\s{0,4}\(\s{0,4})?\$_(GET|POST|REQUEST|COOKIE)/ nocase
        $dec = /create_function\s{0,4}\(\s{0,4}(['"][^'"\n;]{0,60}['"]|\$[A-Za-z_][A-Za-z0-9_]{0,20})\s{0,4},\s{0,4}@?\s{0,4}(base64_decode|gzinflate|gzuncompress|str_rot13|strrev)\s{0,4}\(/ nocase
    condition:
        comb_php and any of them
}

rule comb_php_filemanager_shell
{
    meta:
        id = "COMB-MW-007"
        family = "php-filemanager-shell"
        category = "webshell"
        severity = "critical"
        description = "PHP file-manager web shell (WSO, c99, r57, b374k and look-alikes): shell markers with command execution"
    strings:
        $m_filesman = "FilesMan"
        $m_wso = /WSO\s{0,2}[0-9]\.[0-9]/
        $m_c99 = "c99shell" nocase
        $m_r57 = "r57shell" nocase
        $m_b374k = "b374k" nocase
        $m_safe = /safe[_ ]mode\s{0,4}:/ nocase
        $m_uname = "uname -a"
        $m_selfrm = "Self remove" nocase
        $m_bind = "Bind port" nocase
        $m_back = "Back-connect" nocase
        $x_shell = /\b(shell_exec|passthru|system|popen|proc_open)\s{0,4}\(/
        $x_upload = "move_uploaded_file"
        $x_owner = "posix_getpwuid"
    condition:
        comb_php and $x_shell and
        (any of ($m_filesman, $m_wso, $m_c99, $m_r57, $m_b374k) or
         (3 of ($m_safe, $m_uname, $m_selfrm, $m_bind, $m_back) and $x_upload and $x_owner))
}

rule comb_php_two_step_eval
{
    meta:
        id = "COMB-MW-008"
        family = "php-eval-backdoor"
        category = "webshell"
        severity = "high"
        description = "PHP copies a request parameter into a variable and executes it in the next statement"
    strings:
        $two = /\$[A-Za-z_][A-Za-z0-9_]{0,20}\s{0,4}=\s{0,4}@?\$_(GET|POST|REQUEST|COOKIE)\s{0,4}\[\s{0,2}['"]?[A-Za-z0-9_\-]{1,32}['"]?\s{0,2}\]\s{0,4};\s{0,8}@?(eval|assert|system|passthru|shell_exec|exec|popen)\s{0,4}\(\s{0,4}\$[A-Za-z_][A-Za-z0-9_]{0,20}\s{0,4}[,)]/ nocase
    condition:
        comb_php and $two and not comb_php_eval_request
}

rule comb_php_request_file_write
{
    meta:
        id = "COMB-MW-009"
        family = "php-uploader"
        category = "webshell"
        severity = "high"
        description = "PHP writes request content to a file name taken from the request (a dropper for further shells)"
    strings:
        $write = /\b(file_put_contents|fwrite|fputs)\s{0,4}\(\s{0,4}(fopen\s{0,4}\(\s{0,4})?\$_(GET|POST|REQUEST|COOKIE)\s{0,4}\[\s{0,2}['"]?[A-Za-z0-9_\-]{1,32}['"]?\s{0,2}\][^;\n]{0,40},\s{0,4}(base64_decode\s{0,4}\(\s{0,4}|stripslashes\s{0,4}\(\s{0,4})?\$_(GET|POST|REQUEST|COOKIE)\s{0,4}\[/ nocase
    condition:
        comb_php and $write
}
