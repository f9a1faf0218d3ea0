# linkmap.awk: where the bytes of a static binary come from, from the GNU ld
# map of its link: bytes per input (archive, or archive member with
# by=member) and kind of output section, after section GC. "file" is what
# the stripped binary holds (text + rodata + eh_frame + data); bss takes no
# room in the file.
#
#   ./configure --enable-static-binary ... LDFLAGS=-Wl,-Map=trustprobe.map
#   make trustprobe
#   awk -v by=archive -f packaging/static/linkmap.awk trustprobe.map
#   awk -v by=member -f packaging/static/linkmap.awk trustprobe.map | head -30

function kind(s) {
	if (s ~ /^\.comment|^\.debug|^\.stab|^\.gnu\.attributes|^\.gnu\.warning/)
		return ""
	if (s ~ /^\.text|^\.init$|^\.fini$|^\.i?plt|^__libc_freeres_fn/)
		return "text"
	if (s ~ /^\.rodata/)
		return "rodata"
	if (s ~ /^\.eh_frame|^\.gcc_except_table/)
		return "eh"
	if (s ~ /^\.t?bss/)
		return "bss"
	return "data"
}

function input(f, a) {
	sub(/^.*\//, "", f)
	if (by == "member")
		return f
	a = f
	sub(/\(.*/, "", a)
	return a ~ /\.o$/ ? "(objects)" : a
}

function hex(s, i, v) {
	v = 0
	s = tolower(s)
	sub(/^0x/, "", s)
	for (i = 1; i <= length(s); i++)
		v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
	return v
}

function row(k, t, r, e, d, b) {
	printf "%-46s %9d %9d %9d %9d %9d %9d\n", k, t, r, e, d, b, t + r + e + d
}

/^Linker script and memory map/ { on = 1; next }
!on { next }
/^\/DISCARD\// { on = 0; next }
# An output section: ".text   0xADDR 0xSIZE", or its name alone.
/^\.[^ ]/ { out = $1; pending = ""; next }
# An input section whose name is too long for one line.
/^ [^ *]/ && NF == 1 { pending = $1; next }
{
	n = split($0, f, " ")
	if (pending != "") {
		pending = ""
		if (n < 3 || f[1] !~ /^0x/ || f[2] !~ /^0x/)
			next
		size = hex(f[2]); file = f[3]
	} else if ($0 ~ /^ [^ *]/ && n >= 4 && f[2] ~ /^0x/ && f[3] ~ /^0x/) {
		size = hex(f[3]); file = f[4]
	} else
		next
	if (out == "" || kind(out) == "")
		next
	k = input(file)
	bytes[k, kind(out)] += size
	seen[k] = 1
	total[kind(out)] += size
}
END {
	printf "%-46s %9s %9s %9s %9s %9s %9s\n", "input", "text", "rodata",
	    "eh_frame", "data", "bss", "file"
	cmd = "sort -k7,7nr"
	for (k in seen) {
		fsize = bytes[k, "text"] + bytes[k, "rodata"] + bytes[k, "eh"] \
		    + bytes[k, "data"]
		printf "%-46s %9d %9d %9d %9d %9d %9d\n", k, bytes[k, "text"],
		    bytes[k, "rodata"], bytes[k, "eh"], bytes[k, "data"],
		    bytes[k, "bss"], fsize | cmd
	}
	close(cmd)
	row("total", total["text"], total["rodata"], total["eh"],
	    total["data"], total["bss"])
}
