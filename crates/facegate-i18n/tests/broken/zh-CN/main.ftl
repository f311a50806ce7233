greeting = 您好
count = 共 { $count } 条
unused = 没有用到
empty =
    .title = 只有属性
