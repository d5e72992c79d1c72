#!/usr/bin/env bash
# Backups of 清欠: the PostgreSQL database and the media folder, checked by SHA-256.
#
#   scripts/backup.sh create                        a new backup folder under $BACKUP_DIR
#   scripts/backup.sh verify FOLDER                 check a backup's checksums; changes nothing
#   scripts/backup.sh restore FOLDER [--replace]    check, then restore database and media
#
# A backup folder, qingqian-YYYYMMDD-HHMMSS (Beijing time), holds
#   database.dump   pg_dump in custom format
#   media.tar       the media folder: service proofs, issued PDFs, archived reports, seals
#   backup.txt      when, from where, which versions and migrations
#   SHA256SUMS      the checksums of the three, in `sha256sum` format
#
# Environment:
#   DATABASE_OWNER_URL, else DATABASE_URL   the database; backup and restore are DBA work, done
#                                           as the role that owns the tables, not as the role
#                                           the application connects with
#   MEDIA_ROOT        default as config/settings.py: $QINGQIAN_VAR_DIR/media, else var/media
#   BACKUP_DIR        where `create` puts the folder, default var/backups
#   PG_BINDIR         the PostgreSQL client programs to use; by default those of the server's
#                     major version (/usr/lib/postgresql/N/bin), else pg_dump on PATH
#
# Messages go to stderr; `create` prints the new folder's path on stdout, for cron and scripts.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
MEDIA=${MEDIA_ROOT:-${QINGQIAN_VAR_DIR:-$ROOT/var}/media}
BACKUP_DIR=${BACKUP_DIR:-$ROOT/var/backups}
DUMP=database.dump
MEDIA_TAR=media.tar
INFO=backup.txt
SUMS=SHA256SUMS
# Folder names and times in the application's time zone (Asia/Shanghai, which has kept no
# daylight saving time since 1991), whatever the machine's: a container runs on UTC, and a
# backup made at 03:00 in the county must not be named after the day before.
export TZ=CST-8

say() { printf '%s\n' "$*" >&2; }
die() {
    say "$*"
    exit 1
}

usage() {
    say "用法：$0 create | verify 备份目录 | restore 备份目录 [--replace]"
    exit 2
}

# DB_URL (without the password, which goes to libpq through PGPASSWORD so that `ps` never
# shows it) and DB_LABEL (name and host, for messages) from the URL the settings use.
connect() {
    local url=${DATABASE_OWNER_URL:-${DATABASE_URL:-}}
    [ -n "$url" ] || die "未设置数据库地址：请设置 DATABASE_OWNER_URL（数据库所有者账号，优先使用）或 DATABASE_URL。"
    case "${url%%://*}" in
        postgres | postgresql | pgsql | psql) ;;
        sqlite) die "备份和恢复只适用于 PostgreSQL；演示版的 SQLite 数据库是一个文件，直接复制即可。" ;;
        *) die "无法识别的数据库地址，应为 postgres://用户名:密码@主机:端口/数据库名。" ;;
    esac
    local rest=${url#*://} authority path="" userinfo="" hostport user password=""
    authority=${rest%%/*}
    [[ $rest == */* ]] && path=/${rest#*/}
    hostport=$authority
    if [[ $authority == *@* ]]; then
        userinfo=${authority%@*}
        hostport=${authority##*@}
    fi
    user=${userinfo%%:*}
    [[ $userinfo == *:* ]] && password=${userinfo#*:}
    if [ -n "$password" ]; then
        # Percent-decoded, as libpq would have read it from the URL.
        PGPASSWORD=$(printf '%b' "${password//%/\\x}")
        export PGPASSWORD
    fi
    DB_URL="postgresql://${user:+$user@}$hostport$path"
    local name=${path#/}
    DB_LABEL="${name%%\?*}（${hostport:-本机}）"
}

# BIN: the client programs of the server's major version. pg_dump refuses a newer server, and
# a dump is read only by a pg_restore at least as new as the pg_dump that wrote it.
find_tools() {
    local probe="" number major
    if [ -n "${PG_BINDIR:-}" ]; then
        [ -x "$PG_BINDIR/pg_dump" ] || die "PG_BINDIR=$PG_BINDIR 下没有 pg_dump。"
        probe=$PG_BINDIR/psql
    else
        # Any psql can ask the server its version; the newest installed is the likeliest to.
        probe=$(ls -d /usr/lib/postgresql/*/bin/psql 2>/dev/null | sort -V | tail -n 1 || true)
        [ -n "$probe" ] || probe=$(command -v psql || true)
    fi
    [ -n "$probe" ] || die "找不到 PostgreSQL 客户端程序（psql、pg_dump、pg_restore）。请安装与数据库服务器主版本相同的客户端，例如 Debian/Ubuntu：apt-get install postgresql-client-15。"
    number=$("$probe" -X -A -t -q -d "$DB_URL" -c 'SHOW server_version_num') ||
        die "无法连接数据库 $DB_LABEL（见上面的报错）。请检查地址、密码和数据库是否已创建。"
    SERVER_MAJOR=$((number / 10000))
    if [ -n "${PG_BINDIR:-}" ]; then
        BIN=$PG_BINDIR
    elif [ -x "/usr/lib/postgresql/$SERVER_MAJOR/bin/pg_dump" ]; then
        BIN=/usr/lib/postgresql/$SERVER_MAJOR/bin
    elif command -v pg_dump >/dev/null; then
        BIN=$(dirname "$(command -v pg_dump)")
    else
        die "找不到 pg_dump。请安装 PostgreSQL $SERVER_MAJOR 的客户端（Debian/Ubuntu：apt-get install postgresql-client-$SERVER_MAJOR），或用 PG_BINDIR 指定其目录。"
    fi
    major=$("$BIN/pg_dump" --version | sed -E 's/^[^0-9]*([0-9]+).*/\1/')
    if [ "$major" -lt "$SERVER_MAJOR" ]; then
        die "$BIN/pg_dump 是 PostgreSQL $major，比数据库服务器（$SERVER_MAJOR）旧，不能使用。请安装 postgresql-client-$SERVER_MAJOR，或用 PG_BINDIR 指定其目录。"
    elif [ "$major" -gt "$SERVER_MAJOR" ]; then
        say "提示：使用 PostgreSQL $major 的客户端程序，数据库服务器是 $SERVER_MAJOR。这样做的备份只能用 $major 或更新版本的 pg_restore 恢复。"
    fi
}

sql() {
    "$BIN/psql" -X -A -t -q -v ON_ERROR_STOP=1 -d "$DB_URL" -c "$1"
}

write_info() {
    local name=$1 work=$2 files version migrations
    files=$(tar -tf "$work/$MEDIA_TAR" | grep -vc '/$' || true)
    version=$(sed -n 's/^version *= *"\(.*\)"/\1/p' "$ROOT/pyproject.toml" 2>/dev/null || true)
    migrations=$(sql "SELECT app || ' ' || max(name) FROM django_migrations GROUP BY app ORDER BY app" 2>/dev/null || echo "（没有 django_migrations 表）")
    printf '清欠备份 %s\n' "$name"
    printf '时间：%s\n' "$(date '+%Y-%m-%d %H:%M:%S %z')"
    printf '数据库：%s，PostgreSQL %s\n' "$DB_LABEL" "$(sql 'SHOW server_version')"
    printf '备份程序：%s\n' "$("$BIN/pg_dump" --version)"
    printf '附件目录：%s，%s 个文件\n' "$MEDIA" "$files"
    printf '应用版本：%s\n' "${version:-未知}"
    printf '各应用最近一次数据库迁移：\n%s\n' "$(sed 's/^/  /' <<<"$migrations")"
}

create() {
    # A backup holds ID and bank account numbers: its files are readable by their owner only.
    # (Not when restoring: the media files come back with the modes they had.)
    umask 077
    connect
    find_tools
    local name final work
    name=qingqian-$(date +%Y%m%d-%H%M%S)
    final=$BACKUP_DIR/$name
    work=$BACKUP_DIR/.$name.partial
    [ ! -e "$final" ] || die "备份目录 $final 已存在，请稍后再试。"
    mkdir -p "$BACKUP_DIR"
    rm -rf "$work"
    mkdir "$work"
    # Built aside and renamed when complete: an interrupted backup never looks like a good one.
    trap 'rm -rf "$work"' EXIT
    say "备份数据库 $DB_LABEL ……"
    "$BIN/pg_dump" --format=custom --dbname="$DB_URL" --file="$work/$DUMP" ||
        die "数据库备份失败（见上面 pg_dump 的报错），没有生成备份。"
    # The media after the database: a file is stored before the row that names it commits, so
    # every file a dumped row names is already there when the archive is made.
    say "备份附件目录 $MEDIA ……"
    if [ -d "$MEDIA" ]; then
        tar -C "$MEDIA" -cf "$work/$MEDIA_TAR" . ||
            die "附件目录打包失败（见上面 tar 的报错），没有生成备份。"
    else
        say "警告：附件目录 $MEDIA 不存在，本次备份不含任何附件。若附件实际在别处，请设置 MEDIA_ROOT 后重新备份。"
        tar -cf "$work/$MEDIA_TAR" --files-from=/dev/null
    fi
    write_info "$name" "$work" >"$work/$INFO"
    (cd "$work" && sha256sum "$DUMP" "$MEDIA_TAR" "$INFO" >"$SUMS")
    mv "$work" "$final"
    trap - EXIT
    say "备份完成：$final（$(du -sh "$final" | cut -f1)）"
    printf '%s\n' "$final"
}

# 0 when every file of the backup matches its checksum; otherwise says which do not.
verify() {
    local dir=$1 file report bad
    [ -d "$dir" ] || {
        say "找不到备份目录：$dir"
        return 1
    }
    [ -f "$dir/$SUMS" ] || {
        say "备份目录 $dir 中没有校验文件 $SUMS，无法确认备份完好。"
        return 1
    }
    for file in "$DUMP" "$MEDIA_TAR"; do
        grep -Eq "^[0-9a-f]{64} [ *]$file\$" "$dir/$SUMS" || {
            say "校验文件 $SUMS 中没有 $file 的校验值，无法确认备份完好。"
            return 1
        }
    done
    if ! report=$(cd "$dir" && LC_ALL=C sha256sum --check --strict "$SUMS" 2>/dev/null); then
        bad=$(sed -n -e 's/: FAILED open or read$/：文件缺失或无法读取/p' -e 's/: FAILED$/：内容与校验值不符/p' <<<"$report")
        say "备份 $dir 校验失败，已损坏或不完整："
        say "${bad:-$SUMS 格式不对}"
        return 1
    fi
    say "备份校验通过：$dir"
}

# The roles the dump grants privileges to (the application's role) that this server lacks:
# pg_restore would stop at the first GRANT to one, so they are named before anything changes.
missing_roles() {
    local dump=$1 list statements roles role known missing=""
    list=$(mktemp)
    "$BIN/pg_restore" --list "$dump" | grep -E '^[0-9]+; [0-9]+ [0-9]+ (DEFAULT )?ACL ' >"$list" || true
    statements=$("$BIN/pg_restore" --use-list="$list" --file=- "$dump" |
        grep -E '^(GRANT|REVOKE|ALTER DEFAULT PRIVILEGES) ' || true)
    rm -f "$list"
    roles=$({
        grep -oE ' (TO|FROM) [^;]+;$' <<<"$statements" | sed -E 's/^ (TO|FROM) //; s/;$//; s/ WITH GRANT OPTION$//'
        grep -oE 'FOR ROLE [^ ]+' <<<"$statements" | sed 's/^FOR ROLE //'
    } | sed 's/, /\n/g' | tr -d '"' | grep -vx -e PUBLIC -e '' | sort -u || true)
    known=$(sql "SELECT rolname FROM pg_roles")
    for role in $roles; do
        grep -Fxq -- "$role" <<<"$known" || missing+=" $role"
    done
    printf '%s' "${missing# }"
}

restore() {
    local dir=$1 replace=$2 tables others missing
    verify "$dir" || die "拒绝恢复：数据库和附件目录都没有改动。请换一份完好的备份（例如存放在其他机器上的副本）。"
    connect
    find_tools
    missing=$(missing_roles "$dir/$DUMP")
    [ -z "$missing" ] || die "备份中的权限授予了数据库角色 $missing，本服务器上还没有。请先由数据库管理员创建同名角色（例如 CREATE ROLE ${missing%% *} LOGIN PASSWORD '应用账号的密码';），再重新恢复。数据库和附件目录都没有改动。"
    tables=$(sql "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p') AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\\_%'")
    if [ "$tables" -gt 0 ]; then
        # Restoring onto a fresh server is the common case; replacing live data must be asked for.
        [ "$replace" = yes ] || die "目标数据库 $DB_LABEL 不是空库（已有 $tables 张表）。恢复会用备份替换其中的全部数据。如确要替换：先停止 web、worker 和 beat，最好先另做一次备份，再加 --replace 重新运行（make restore BACKUP=… REPLACE=yes）。"
        others=$(sql "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND backend_type = 'client backend' AND pid <> pg_backend_pid()")
        [ "$others" -eq 0 ] || die "还有 $others 个连接正在使用数据库 $DB_LABEL。请先停止 web、worker 和 beat（以及其他连接该库的程序），再恢复。"
    fi
    say "$(cat "$dir/$INFO" 2>/dev/null || true)"
    say "恢复数据库到 $DB_LABEL ……"
    # One transaction: a failure (a missing role, tables of a newer release in the way) leaves
    # the database exactly as it was. --no-owner: everything belongs to the role restoring it.
    "$BIN/pg_restore" --dbname="$DB_URL" --clean --if-exists --no-owner \
        --single-transaction --exit-on-error "$dir/$DUMP" ||
        die "数据库恢复失败（见上面 pg_restore 的报错），已整体撤销：数据库保持恢复前的状态，附件目录没有改动。"
    # pg_restore leaves the planner without statistics until autovacuum gets round to them. An
    # owner that is no superuser analyzes its own tables and would warn of each catalog skipped.
    sql "SET client_min_messages = error; ANALYZE" || say "提示：ANALYZE 未完成，统计信息将由 autovacuum 稍后补上。"
    say "恢复附件到 $MEDIA ……"
    mkdir -p "$MEDIA"
    # Over what is there: the backup's files come back as they were; a file stored after the
    # backup stays, though no restored row names it. The folder itself (perhaps a mount point)
    # keeps its owner and mode.
    tar -C "$MEDIA" --no-overwrite-dir -xf "$dir/$MEDIA_TAR" ||
        die "附件恢复失败（见上面 tar 的报错）。数据库已经恢复；排除问题（磁盘空间、目录权限）后请加 --replace 再恢复一次。"
    say "恢复完成。启动 web、worker 和 beat 前请阅读 docs/operations.md 的恢复步骤。"
}

case "${1:-}" in
    create)
        [ $# -eq 1 ] || usage
        create
        ;;
    verify)
        [ $# -eq 2 ] && [ -n "$2" ] || usage
        verify "$2"
        ;;
    restore)
        [ $# -le 3 ] || usage
        [ $# -ge 2 ] && [ -n "$2" ] || {
            say "请指定要恢复的备份目录，例如：make restore BACKUP=var/backups/qingqian-20261122-030000"
            exit 2
        }
        case "${3:-}" in
            --replace) restore "$2" yes ;;
            "") restore "$2" no ;;
            *) usage ;;
        esac
        ;;
    *) usage ;;
esac
