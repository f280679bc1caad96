" Containerfile and *.Dockerfile as dockerfile (older Neovim versions miss these).
autocmd BufRead,BufNewFile Containerfile,Containerfile.*,*.Dockerfile,*.dockerfile,Dockerfile.* setfiletype dockerfile
