@echo off
rem Written by "jiekun init". Runs the newest quarter in input\, shows the summary and opens the dispatch report.
rem Everything before chcp is plain ASCII: cmd.exe reads this file in the console's code page until chcp changes it.
chcp 65001 >nul
cd /d "%~dp0"
where jiekun >nul 2>nul
if %errorlevel% equ 0 (
    jiekun $args
) else (
    where py >nul 2>nul
    if errorlevel 1 (
        echo 没有找到 Python 或 jiekun。请先按 使用说明.txt 安装 Python 和 jiekun，再双击本文件。
    ) else (
        py -m pipeline $args
    )
)
echo.
pause
